import { connect, constants, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { createSigner } from 'fast-jwt';
import { retryAfterSeconds } from './retry-after.js';
import type { PushMessage, PushProvider, PushTarget, SendOutcome } from './types.js';

/**
 * Apple Push Notification service, token-based provider API over HTTP/2:
 * `POST {endpoint}/3/device/{token}` on one long-lived connection (Apple asks providers to keep
 * connections open rather than connect per push), authorised by an ES256 provider token signed
 * with the team's `.p8` key: header `{ alg: ES256, kid }`, claims `{ iss: team id, iat }`.
 */

export const APNS_DEFAULT_ENDPOINT = 'https://api.push.apple.com';
/**
 * Apple refuses a provider token older than an hour and answers TooManyProviderTokenUpdates to
 * one renewed more often than every 20 minutes: 50 minutes sits safely inside both.
 */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 50 * 60;

export interface ApnsProviderOptions {
  /** The `.p8` signing key (PKCS#8 PEM of a P-256 key). */
  key: string;
  /** The key's 10-character id (APNS_KEY_ID). */
  keyId: string;
  /** The 10-character team id (APNS_TEAM_ID), the token's issuer. */
  teamId: string;
  /** The app's bundle id (APNS_TOPIC). */
  topic: string;
  /** Default https://api.push.apple.com; the sandbox is https://api.sandbox.push.apple.com. */
  endpoint?: string | undefined;
  /** Extra trusted certificate authority (PEM), for a local fake with a self-signed certificate. */
  ca?: string | undefined;
  /** Per request, from sending to the end of the answer. */
  requestTimeoutMs?: number | undefined;
  /** How long one provider token is used, in seconds (20–59 minutes). */
  tokenLifetimeSeconds?: number | undefined;
  /** Milliseconds since the epoch; tests move it to age tokens. */
  now?: (() => number) | undefined;
}

/** The provider token, shared by every request of this provider and renewed before it ages out. */
class ProviderToken {
  private current: { jwt: string; issuedAtMs: number } | undefined;

  constructor(
    private readonly options: ApnsProviderOptions,
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  get(): string {
    if (!this.current || this.now() - this.current.issuedAtMs >= this.lifetimeMs) this.issue();
    return this.current!.jwt;
  }

  /** After ExpiredProviderToken: a new token, unless a concurrent request already made one. */
  renew(rejected: string): string {
    if (!this.current || this.current.jwt === rejected) this.issue();
    return this.current!.jwt;
  }

  private issue(): void {
    const issuedAtMs = this.now();
    const sign = createSigner({ key: this.options.key, algorithm: 'ES256', kid: this.options.keyId });
    this.current = { jwt: sign({ iss: this.options.teamId, iat: Math.floor(issuedAtMs / 1000) }), issuedAtMs };
  }
}

interface Answer {
  status: number;
  reason?: string | undefined;
  retryAfter?: string | undefined;
  /** Status 0: no answer; `unprocessed` when HTTP/2 guarantees Apple never saw the request. */
  error?: string;
  unprocessed?: boolean;
}

export class ApnsProvider implements PushProvider {
  readonly platform = 'apns' as const;
  private readonly origin: string;
  private readonly token: ProviderToken;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private session: ClientHttp2Session | undefined;
  private inFlight = 0;
  private closed = false;

  constructor(private readonly options: ApnsProviderOptions) {
    this.origin = new URL(options.endpoint ?? APNS_DEFAULT_ENDPOINT).origin;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    const lifetime = Math.min(59 * 60, Math.max(20 * 60, options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS));
    this.token = new ProviderToken(options, lifetime * 1000, this.now);
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendOutcome> {
    if (target.platform !== 'apns') return { outcome: 'rejected', error: `the APNs provider cannot send to a ${target.platform} device` };
    if (this.closed) return { outcome: 'retry', error: 'APNs provider closed' };
    const body = JSON.stringify(apnsPayload(message));
    let jwt: string;
    try {
      jwt = this.token.get();
    } catch (error) {
      return { outcome: 'rejected', error: `APNs provider token could not be signed: ${describe(error)}` };
    }
    let answer = await this.requestOnce(target.token, message, jwt, body);
    if (answer.status === 403 && answer.reason === 'ExpiredProviderToken') {
      answer = await this.requestOnce(target.token, message, this.token.renew(jwt), body);
    }
    return this.outcome(answer);
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (!session || session.closed || session.destroyed) return;
    await new Promise<void>((resolve) => session.close(() => resolve()));
  }

  /** One request; a request HTTP/2 says was never processed (GOAWAY, refused stream) goes once more on a new connection. */
  private async requestOnce(deviceToken: string, message: PushMessage, jwt: string, body: string): Promise<Answer> {
    const headers = this.headers(deviceToken, message, jwt);
    const answer = await this.request(headers, body);
    if (answer.status === 0 && answer.unprocessed && !this.closed) return this.request(headers, body);
    return answer;
  }

  private headers(deviceToken: string, message: PushMessage, jwt: string): OutgoingHttpHeaders {
    const ttl = Math.max(0, Math.floor(message.ttlSeconds));
    return {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(deviceToken)}`,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/json',
      authorization: `bearer ${jwt}`,
      'apns-topic': this.options.topic,
      'apns-push-type': 'alert',
      // 10: deliver now (all four pushes are alerts a person waits for).
      'apns-priority': '10',
      // 0 means "try once, do not store"; otherwise the absolute UNIX time the message expires.
      'apns-expiration': ttl === 0 ? '0' : String(Math.floor(this.now() / 1000) + ttl),
      ...(message.collapseKey !== undefined ? { 'apns-collapse-id': message.collapseKey } : {}),
      // Apple echoes it in answers and logs; it must be a canonical UUID, else Apple assigns one.
      ...(UUID.test(message.deliveryId) ? { 'apns-id': message.deliveryId.toLowerCase() } : {}),
    };
  }

  private connection(): ClientHttp2Session {
    const existing = this.session;
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(this.origin, this.options.ca !== undefined ? { ca: this.options.ca } : {});
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // A GOAWAY (Apple rotates connections, or closes one after an error) or a broken connection:
    // the next request opens a fresh one; requests still running on this one finish or fail there.
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    this.session = session;
    return session;
  }

  private request(headers: OutgoingHttpHeaders, body: string): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      let session: ClientHttp2Session;
      try {
        session = this.connection();
      } catch (error) {
        resolve({ status: 0, error: describe(error) });
        return;
      }
      this.hold(session);
      let settled = false;
      const finish = (answer: Answer) => {
        if (settled) return;
        settled = true;
        this.release(session);
        resolve(answer);
      };
      let stream;
      try {
        stream = session.request(headers);
      } catch (error) {
        // ERR_HTTP2_GOAWAY_SESSION / ERR_HTTP2_INVALID_SESSION: the connection went away first.
        if (this.session === session) this.session = undefined;
        finish({ status: 0, error: describe(error), unprocessed: true });
        return;
      }
      let status = 0;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      stream.setTimeout(this.timeoutMs, () => {
        stream.close(constants.NGHTTP2_CANCEL);
        finish({ status: 0, error: `no answer within ${this.timeoutMs} ms` });
      });
      stream.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        const after = h['retry-after'];
        retryAfter = typeof after === 'string' ? after : undefined;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (status === 0) {
          finish({ status: 0, error: 'stream ended without an answer' });
          return;
        }
        finish({ status, reason: reasonOf(Buffer.concat(chunks).toString('utf8')), retryAfter });
      });
      stream.on('error', (error: Error & { code?: string }) => {
        const unprocessed = status === 0 && (error.code === 'ERR_HTTP2_STREAM_ERROR' ? stream.rstCode === constants.NGHTTP2_REFUSED_STREAM : error.code === 'ERR_HTTP2_GOAWAY_SESSION');
        finish({ status: 0, error: describe(error), unprocessed });
      });
      stream.on('close', () => {
        // Closed without 'end' or 'error' (the session was destroyed under it).
        if (status !== 0) finish({ status, retryAfter, reason: reasonOf(Buffer.concat(chunks).toString('utf8')) });
        else finish({ status: 0, error: `stream closed (code ${stream.rstCode})`, unprocessed: stream.rstCode === constants.NGHTTP2_REFUSED_STREAM });
      });
      stream.end(body);
    });
  }

  /** The connection keeps the process alive only while a request is on it. */
  private hold(session: ClientHttp2Session): void {
    this.inFlight += 1;
    session.ref();
  }

  private release(session: ClientHttp2Session): void {
    this.inFlight -= 1;
    if (this.inFlight === 0 && !session.destroyed) session.unref();
  }

  private outcome(answer: Answer): SendOutcome {
    const { status, reason } = answer;
    if (status === 200) return { outcome: 'delivered' };
    if (status === 0) return { outcome: 'retry', error: `APNs unreachable: ${answer.error ?? 'unknown error'}` };
    const text = `APNs ${status} ${reason ?? ''}`.trim();
    // 410 Unregistered: the app is gone from the device. 400 BadDeviceToken: the token is not one
    // (or belongs to the other environment); neither will ever work again.
    if (status === 410 || reason === 'Unregistered' || reason === 'BadDeviceToken') return { outcome: 'gone', status };
    // 429 TooManyRequests / TooManyProviderTokenUpdates, 500, 503 Shutdown, and a token still
    // "expired" right after renewal (a clock that is off): later.
    if (status === 429 || status >= 500 || reason === 'ExpiredProviderToken') {
      const after = retryAfterSeconds(answer.retryAfter, this.now());
      return after === undefined ? { outcome: 'retry', error: text } : { outcome: 'retry', error: text, retryAfterSeconds: after };
    }
    return { outcome: 'rejected', error: text };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The notification's JSON: Apple's `aps` dictionary (an alert with title and body, the default
 * sound, and `thread-id` grouping a chat's notifications) beside the app's own routing keys.
 * `aps` is written last so that no data key can replace it.
 */
export function apnsPayload(message: PushMessage): Record<string, unknown> {
  return {
    ...message.data,
    aps: {
      alert: { title: message.title, body: message.body },
      sound: 'default',
      ...(message.collapseKey !== undefined ? { 'thread-id': message.collapseKey } : {}),
    },
  };
}

function reasonOf(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    const reason = (JSON.parse(text) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
