import { createSigner } from 'fast-jwt';
import { KeepAliveClient, type PostReply } from './keep-alive-client.js';
import { retryAfterSeconds } from './retry-after.js';
import type { PushMessage, PushProvider, PushTarget, SendOutcome } from './types.js';

/**
 * Firebase Cloud Messaging, HTTP v1 API: `POST {endpoint}/v1/projects/{project}/messages:send`
 * with an OAuth 2.0 access token that a service account obtains by the JWT bearer grant
 * (RFC 7523): an RS256-signed assertion `{ iss: client_email, scope, aud: token_uri, iat, exp }`
 * posted to the account's `token_uri`. Plain node:https with keep-alive, no SDK: two HTTP calls
 * do not need firebase-admin's 20-odd MB of dependencies.
 */

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const FCM_DEFAULT_ENDPOINT = 'https://fcm.googleapis.com';
/** FCM keeps a message for an offline device at most four weeks. */
const MAX_TTL_SECONDS = 28 * 24 * 3600;
/** Google issues one-hour access tokens; one is renewed this long before it runs out. */
const REFRESH_MARGIN_SECONDS = 300;

/** The fields of a service-account key file (`type: service_account`) that the provider uses. */
export interface FcmServiceAccount {
  projectId: string;
  clientEmail: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as the key file holds it. */
  privateKey: string;
  /** The key's id, sent as the assertion's `kid` so Google finds the public key at once. */
  privateKeyId?: string | undefined;
  /** Where assertions are exchanged for access tokens; tests point it at a local fake. */
  tokenUri: string;
}

export interface FcmProviderOptions {
  serviceAccount: FcmServiceAccount;
  /** Default https://fcm.googleapis.com (FCM_ENDPOINT). */
  endpoint?: string | undefined;
  /** Extra trusted certificate authority (PEM), for a local fake with a self-signed certificate. */
  ca?: string | undefined;
  /** Per HTTP call (token exchange or send). */
  requestTimeoutMs?: number | undefined;
  /** Milliseconds since the epoch; tests move it to expire tokens. */
  now?: (() => number) | undefined;
}

/** A failed token exchange: `permanent` when Google refused the credentials (no retry helps). */
class TokenExchangeError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * One access token per service account, shared by every send. Concurrent callers that find it
 * missing or stale wait for the same exchange, so a burst of sends costs one round trip to the
 * token endpoint, not one each.
 */
class AccessTokenCache {
  private current: { token: string; refreshAtMs: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly account: FcmServiceAccount,
    private readonly http: KeepAliveClient,
    private readonly now: () => number,
    private readonly timeoutMs: number,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAtMs) return this.current.token;
    return this.refresh();
  }

  /**
   * A new token. With `rejected` (the token a send just had refused), a newer token that another
   * caller has already obtained is used instead of exchanging again.
   */
  async refresh(rejected?: string): Promise<string> {
    if (rejected !== undefined && this.current && this.current.token !== rejected && this.now() < this.current.refreshAtMs) {
      return this.current.token;
    }
    if (rejected !== undefined && this.current?.token === rejected) this.current = undefined;
    this.inFlight ??= this.exchange().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async exchange(): Promise<string> {
    const nowSeconds = Math.floor(this.now() / 1000);
    // iat and exp are set here from the provider's clock (fast-jwt keeps a payload's own iat).
    const sign = createSigner({
      key: this.account.privateKey,
      algorithm: 'RS256',
      ...(this.account.privateKeyId ? { kid: this.account.privateKeyId } : {}),
    });
    const assertion = sign({
      iss: this.account.clientEmail,
      scope: FCM_SCOPE,
      aud: this.account.tokenUri,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
    });
    let response: PostReply;
    try {
      response = await this.http.post(
        this.account.tokenUri,
        { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
        this.timeoutMs,
      );
    } catch (error) {
      throw new TokenExchangeError(`FCM token exchange failed: ${describe(error)}`, false);
    }
    const body = parseJson(response.body) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (response.status < 200 || response.status >= 300) {
      const reason = [body?.error, body?.error_description].filter((v) => typeof v === 'string').join(': ') || 'no reason given';
      // 4xx (invalid_grant, invalid_client…): the key is revoked or the account misconfigured.
      const transient = response.status === 429 || response.status >= 500;
      throw new TokenExchangeError(
        `FCM token exchange answered ${response.status}: ${reason}`,
        !transient,
        retryAfterSeconds(header(response, 'retry-after'), this.now()),
      );
    }
    const token = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new TokenExchangeError('FCM token exchange answered without access_token and expires_in', false);
    }
    const margin = Math.min(REFRESH_MARGIN_SECONDS, expiresIn / 2);
    this.current = { token, refreshAtMs: this.now() + (expiresIn - margin) * 1000 };
    return token;
  }
}

interface FcmErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ '@type'?: string; errorCode?: string }> };
}

export class FcmProvider implements PushProvider {
  readonly platform = 'fcm' as const;
  private readonly tokens: AccessTokenCache;
  private readonly sendUrl: string;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly http: KeepAliveClient;

  constructor(options: FcmProviderOptions) {
    this.http = new KeepAliveClient({ ca: options.ca });
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.tokens = new AccessTokenCache(options.serviceAccount, this.http, this.now, this.timeoutMs);
    const endpoint = (options.endpoint ?? FCM_DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.sendUrl = `${endpoint}/v1/projects/${encodeURIComponent(options.serviceAccount.projectId)}/messages:send`;
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendOutcome> {
    if (target.platform !== 'fcm') return { outcome: 'rejected', error: `the FCM provider cannot send to a ${target.platform} device` };
    const body = JSON.stringify(fcmRequestBody(target.token, message, this.now()));
    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (error) {
      return tokenFailure(error);
    }
    let reply = await this.post(accessToken, body);
    // 401 UNAUTHENTICATED: the access token was revoked or expired early. One new token, one
    // retry; a second 401 means the credentials themselves are wrong. (THIRD_PARTY_AUTH_ERROR is
    // also a 401, but about the APNs or Web Push credentials stored in Firebase: a new token of
    // ours does not help.)
    if (reply.status === 401 && fcmErrorCode(reply.body) !== 'THIRD_PARTY_AUTH_ERROR') {
      try {
        accessToken = await this.tokens.refresh(accessToken);
      } catch (error) {
        return tokenFailure(error);
      }
      reply = await this.post(accessToken, body);
    }
    return this.outcome(reply);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async post(accessToken: string, body: string): Promise<Reply> {
    try {
      const response = await this.http.post(
        this.sendUrl,
        { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
        body,
        this.timeoutMs,
      );
      return { status: response.status, body: parseJson(response.body) as FcmErrorBody | undefined, retryAfter: header(response, 'retry-after') };
    } catch (error) {
      return { status: 0, body: undefined, retryAfter: null, error: describe(error) };
    }
  }

  private outcome(reply: Reply): SendOutcome {
    const { status } = reply;
    if (status >= 200 && status < 300) return { outcome: 'delivered' };
    if (status === 0) return { outcome: 'retry', error: `FCM unreachable: ${reply.error ?? 'unknown error'}` };
    const code = fcmErrorCode(reply.body);
    const text = `FCM ${status} ${code ?? reply.body?.error?.status ?? ''}: ${reply.body?.error?.message ?? ''}`.slice(0, 300);
    // UNREGISTERED (404): the app was uninstalled or the token expired; the device is gone.
    if (status === 404 || code === 'UNREGISTERED') return { outcome: 'gone', status };
    // QUOTA_EXCEEDED (429), INTERNAL (500), UNAVAILABLE (503): try again later, no sooner than told.
    if (status === 429 || status >= 500) {
      const after = retryAfterSeconds(reply.retryAfter, this.now());
      return after === undefined ? { outcome: 'retry', error: text } : { outcome: 'retry', error: text, retryAfterSeconds: after };
    }
    // INVALID_ARGUMENT (400), SENDER_ID_MISMATCH (403), a second 401…: this message will not go.
    // SENDER_ID_MISMATCH is not treated as "gone": with a wrong project configured every token
    // would answer it, and removing them all would outlive fixing the configuration.
    return { outcome: 'rejected', error: text };
  }
}

interface Reply {
  status: number;
  body: FcmErrorBody | undefined;
  retryAfter: string | null;
  error?: string;
}

/**
 * The HTTP v1 request body. `android.ttl` is a protobuf Duration ("3600s"); iOS devices reached
 * through FCM get the same lifetime as `apns-expiration` (an absolute UNIX time) and the same
 * collapse key as `apns-collapse-id`; web clients of the Firebase SDK get it as the `TTL` header.
 */
export function fcmRequestBody(token: string, message: PushMessage, nowMs: number): { message: Record<string, unknown> } {
  const ttl = Math.min(MAX_TTL_SECONDS, Math.max(0, Math.floor(message.ttlSeconds)));
  const collapse = message.collapseKey;
  return {
    message: {
      token,
      notification: { title: message.title, body: message.body },
      data: message.data,
      android: {
        ...(collapse !== undefined ? { collapse_key: collapse } : {}),
        ttl: `${ttl}s`,
        // Every push here is a visible alert a person is waiting for.
        priority: 'high',
        notification: { sound: 'default', ...(collapse !== undefined ? { tag: collapse } : {}) },
      },
      apns: {
        headers: {
          'apns-expiration': String(Math.floor(nowMs / 1000) + ttl),
          'apns-priority': '10',
          ...(collapse !== undefined ? { 'apns-collapse-id': collapse } : {}),
        },
        payload: { aps: { sound: 'default', ...(collapse !== undefined ? { 'thread-id': collapse } : {}) } },
      },
      webpush: { headers: { TTL: String(ttl), Urgency: 'high' } },
    },
  };
}

function fcmErrorCode(body: FcmErrorBody | undefined): string | undefined {
  const details = body?.error?.details;
  if (!Array.isArray(details)) return undefined;
  return details.find((d) => typeof d?.['@type'] === 'string' && d['@type'].endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
}

function tokenFailure(error: unknown): SendOutcome {
  if (error instanceof TokenExchangeError) {
    if (error.permanent) return { outcome: 'rejected', error: error.message };
    return error.retryAfterSeconds === undefined
      ? { outcome: 'retry', error: error.message }
      : { outcome: 'retry', error: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  // A key fast-jwt cannot sign with is a configuration error (config.ts checks it at start-up).
  return { outcome: 'rejected', error: `FCM assertion could not be signed: ${describe(error)}` };
}

function header(response: PostReply, name: string): string | null {
  const value = response.headers[name];
  return typeof value === 'string' ? value : null;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
