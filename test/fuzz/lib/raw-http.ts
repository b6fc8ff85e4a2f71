import http from 'node:http';
import net from 'node:net';
import type { Answer } from './checks.js';

/** HTTP for fuzzing: any method, any header, any body bytes (fetch refuses a body on GET, etc.). */

export interface RawRequest {
  method: string;
  /** Path and query, already encoded as they go on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
}

export function httpSender(baseUrl: string, maxSockets = 32) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const send = (req: RawRequest): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const outgoing = http.request(
        { host: url.hostname, port: Number(url.port), method: req.method, path: req.path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error(`timeout: ${req.method} ${req.path}`)));
      outgoing.on('error', reject);
      if (req.body !== undefined) outgoing.write(req.body);
      outgoing.end();
    });
  return { send, close: () => agent.destroy() };
}

/**
 * Writes raw bytes on a new connection and parses the (first) answer, for requests that no HTTP
 * client would produce: broken framing, oversized headers, bad methods.
 */
export function sendRawBytes(baseUrl: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<Answer | null> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(bytes));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const parsed = parseAnswer(Buffer.concat(chunks).toString('utf8'));
      if (parsed && Buffer.byteLength(parsed.text) >= Number(parsed.headers['content-length'] ?? 0)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

function parseAnswer(raw: string): Answer | null {
  // Skip interim answers (100 Continue).
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw) && raw.includes('\r\n\r\n')) raw = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, text: raw.slice(end + 4) };
}
