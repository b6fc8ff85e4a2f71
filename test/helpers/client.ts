import { request as httpRequest } from 'node:http';

/** A small fetch wrapper for tests: JSON in, parsed JSON and headers out. */
export interface Response<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as is (for malformed JSON tests); sets no content type unless `contentType` is given. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ClientOptions {
  /** Connect from this local address (e.g. `127.0.0.2`: another client address on loopback). */
  localAddress?: string;
}

export function client(baseUrl: string, clientOptions: ClientOptions = {}) {
  async function request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      if (options.contentType) headers['content-type'] = options.contentType;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const res = clientOptions.localAddress
      ? await sendFrom(clientOptions.localAddress, baseUrl + path, method, headers, body)
      : await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }
  return {
    request,
    get: <T = any>(path: string, o?: RequestOptions) => request<T>('GET', path, o),
    post: <T = any>(path: string, o?: RequestOptions) => request<T>('POST', path, o),
    put: <T = any>(path: string, o?: RequestOptions) => request<T>('PUT', path, o),
    del: <T = any>(path: string, o?: RequestOptions) => request<T>('DELETE', path, o),
  };
}

export type Client = ReturnType<typeof client>;

/** fetch cannot choose its local address; node:http can. Answers the part of fetch's Response used above. */
function sendFrom(
  localAddress: string,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
        }
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text: async () => text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
