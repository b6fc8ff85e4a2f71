import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs over keep-alive connections with node:http(s). Not fetch: on Node 20 a fetch round trip
 * cost about four times the CPU of the same request through an http.Agent (measured locally:
 * ≈ 500–940 µs against 110–250 µs per request, client and server together), and a push worker
 * is mostly such round trips.
 */
export class KeepAliveClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(options: { maxSockets?: number; ca?: string | undefined } = {}) {
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
  }

  /** Rejects on a network error or when the whole exchange takes longer than `timeoutMs`. */
  post(url: string, headers: OutgoingHttpHeaders, body: string, timeoutMs: number): Promise<PostReply> {
    return new Promise<PostReply>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const payload = Buffer.from(body);
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        { method: 'POST', agent: secure ? this.httpsAgent : this.httpAgent, headers: { ...headers, 'content-length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(payload);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
