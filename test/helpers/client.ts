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

export function client(baseUrl: string) {
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
    const res = await fetch(baseUrl + path, { method, headers, body });
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
