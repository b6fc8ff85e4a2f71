/**
 * A local Apple Push Notification service (token-based provider API) for tests: HTTP/2 over TLS
 * with a self-signed certificate made at test time (or cleartext h2c with `tls: false`, for an
 * app whose HTTP/2 client cannot be handed a CA).
 *
 *   const apns = await createApnsFake();             // 127.0.0.1, port 0
 *   // the app: APNS_ENDPOINT=apns.endpoint, APNS_KEY=apns.key (the .p8 PEM the fake made),
 *   //          APNS_KEY_ID=apns.keyId, APNS_TEAM_ID=apns.teamId, APNS_TOPIC=apns.topic;
 *   //          trust apns.ca (PEM) as the certificate authority
 *   apns.notifications           // every accepted push: { token, headers, payload, apnsId }
 *   apns.providerTokens          // distinct provider JWTs accepted (reuse: one for many pushes)
 *   apns.connections             // HTTP/2 connections accepted (pooling: one for many pushes)
 *   apns.violations              // every protocol error found (assert it stays [])
 *   apns.fail({ status: 410, reason: 'Unregistered' })   // next push (token?: only that device;
 *                                // times?: default 1, Infinity allowed; retryAfter?: header)
 *   apns.expireProviderTokens()  // tokens seen so far answer 403 ExpiredProviderToken
 *   apns.stall({ times: 1 })     // next push gets no answer at all (until close): client timeouts
 *   apns.goAway()                // sends GOAWAY on every open connection
 *   apns.reset(); await apns.close()
 *
 * Checks, answered with Apple's status and `reason` when they fail: `:method` POST and
 * `:path` /3/device/<hex token>; `authorization: bearer <JWT>` verified with the key's public key
 * (ES256, `kid` = key id, `iss` = team id, `iat` not older than an hour nor in the future, and a
 * new token on a connection no sooner than 20 minutes after its previous one —
 * TooManyProviderTokenUpdates);
 * `apns-topic`, `apns-push-type` (alert for an alert payload), `apns-priority` (10, 5 or 1),
 * `apns-expiration` (UNIX seconds), `apns-id` (canonical UUID), `apns-collapse-id` (≤ 64 bytes);
 * the body a JSON object ≤ 4096 bytes whose `aps.alert` has string `title` and `body`.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  constants,
  createSecureServer,
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { JwsError, verifyJws } from './jws.js';
import { testCertificate } from './tls.js';
import { Programmed } from './programmed.js';

export interface ApnsFakeOptions {
  tls?: boolean;
  topic?: string;
  teamId?: string;
  keyId?: string;
  /** The fake's clock (ms), for the provider token's iat checks. */
  now?: () => number;
}

export interface ApnsReceived {
  token: string;
  /** Request headers, pseudo-headers included, as received. */
  headers: Record<string, string>;
  payload: Record<string, any>;
  apnsId: string;
  providerToken: string;
}

export interface ApnsFailure {
  status: number;
  reason: string;
  token?: string;
  times?: number;
  retryAfter?: string;
}

export interface ApnsFake {
  endpoint: string;
  /** PEM of the self-signed certificate (undefined with tls: false). */
  ca: string | undefined;
  /** The `.p8` signing key (PKCS#8 PEM, P-256) the app signs its provider tokens with. */
  key: string;
  keyId: string;
  teamId: string;
  topic: string;
  notifications: ApnsReceived[];
  providerTokens: string[];
  connections: number;
  failuresServed: number;
  violations: string[];
  fail(failure: ApnsFailure): void;
  expireProviderTokens(): void;
  stall(options?: { token?: string; times?: number }): void;
  goAway(): void;
  reset(): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUSH_TYPES = ['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk'];

export async function createApnsFake(options: ApnsFakeOptions = {}): Promise<ApnsFake> {
  const now = options.now ?? Date.now;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const failures = new Programmed<ApnsFailure>((f) => f.token);
  const expired = new Set<string>();
  const stalls = new Programmed<{ token?: string | undefined; times?: number | undefined }>((s) => s.token);
  /** Apple limits token changes per connection: the iat of the last new token on each. */
  const lastTokenIat = new Map<Http2Session, number>();
  const sessions = new Set<Http2Session>();
  const tls = options.tls ?? true;
  const certificate = tls ? await testCertificate() : undefined;
  const server: Http2Server = certificate ? createSecureServer({ key: certificate.key, cert: certificate.cert }) : createServer();

  const fake: ApnsFake = {
    endpoint: '',
    ca: certificate?.cert,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: options.keyId ?? 'ABC123DEFG',
    teamId: options.teamId ?? 'DEF123GHIJ',
    topic: options.topic ?? 'kr.saju.dating',
    notifications: [],
    providerTokens: [],
    connections: 0,
    failuresServed: 0,
    violations: [],
    fail(failure) {
      failures.add(failure);
    },
    stall(options = {}) {
      stalls.add({ token: options.token, times: options.times });
    },
    expireProviderTokens() {
      for (const token of fake.providerTokens) expired.add(token);
      lastTokenIat.clear();
    },
    goAway() {
      for (const session of sessions) if (!session.closed) session.goaway(constants.NGHTTP2_NO_ERROR);
    },
    reset() {
      fake.notifications.length = 0;
      fake.providerTokens.length = 0;
      fake.violations.length = 0;
      fake.connections = 0;
      fake.failuresServed = 0;
      failures.clear();
      stalls.clear();
      expired.clear();
      lastTokenIat.clear();
    },
    close() {
      for (const session of sessions) session.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('session', (session) => {
    fake.connections += 1;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handle(stream, headers, Buffer.concat(chunks)));
    stream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function answer(stream: ServerHttp2Stream, status: number, apnsId: string, reason?: string, extra: Record<string, string> = {}): void {
    if (stream.destroyed) return;
    const body = reason === undefined ? undefined : JSON.stringify(status === 410 ? { reason, timestamp: now() } : { reason });
    stream.respond({ ':status': status, 'apns-id': apnsId, ...(body ? { 'content-type': 'application/json' } : {}), ...extra });
    stream.end(body);
  }

  function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer): void {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    const apnsIdHeader = header('apns-id');
    const apnsId = apnsIdHeader ?? randomUUID();
    const refuse = (status: number, reason: string) => {
      fake.violations.push(`${status} ${reason}`);
      answer(stream, status, apnsId, reason);
    };
    if (header(':method') !== 'POST') return refuse(405, 'MethodNotAllowed');
    const path = /^\/3\/device\/([^/?]+)$/.exec(header(':path') ?? '');
    if (!path) return refuse(404, 'BadPath');
    const token = decodeURIComponent(path[1]!);
    if (!/^[0-9a-f]+$/i.test(token)) return refuse(400, 'BadDeviceToken');

    const authorization = /^bearer (\S+)$/.exec(header('authorization') ?? '')?.[1];
    if (!authorization) return refuse(403, 'MissingProviderToken');
    const tokenProblem = checkProviderToken(authorization, publicKey, stream.session!);
    if (tokenProblem) {
      if (tokenProblem.violation) fake.violations.push(`${tokenProblem.status} ${tokenProblem.reason}: ${tokenProblem.detail}`);
      return answer(stream, tokenProblem.status, apnsId, tokenProblem.reason);
    }

    const topic = header('apns-topic');
    if (topic === undefined) return refuse(400, 'MissingTopic');
    if (topic !== fake.topic) return refuse(400, 'DeviceTokenNotForTopic');
    const pushType = header('apns-push-type');
    if (pushType !== undefined && !PUSH_TYPES.includes(pushType)) return refuse(400, 'InvalidPushType');
    const priority = header('apns-priority');
    if (priority !== undefined && !['10', '5', '1'].includes(priority)) return refuse(400, 'BadPriority');
    const expiration = header('apns-expiration');
    if (expiration !== undefined && !/^\d+$/.test(expiration)) return refuse(400, 'BadExpirationDate');
    if (apnsIdHeader !== undefined && !UUID.test(apnsIdHeader)) return refuse(400, 'BadMessageId');
    const collapse = header('apns-collapse-id');
    if (collapse !== undefined && Buffer.byteLength(collapse) > 64) return refuse(400, 'BadCollapseId');

    if (body.length === 0) return refuse(400, 'PayloadEmpty');
    if (body.length > 4096) return refuse(413, 'PayloadTooLarge');
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(400, 'BadPayload');
    }
    const payloadProblem = checkPayload(payload);
    if (payloadProblem) {
      fake.violations.push(`400 payload: ${payloadProblem}`);
      return answer(stream, 400, apnsId, 'BadPayload');
    }
    const alert = (payload as { aps: { alert?: unknown } }).aps.alert !== undefined;
    if (alert && pushType !== 'alert') return refuse(400, 'InvalidPushType');

    if (stalls.take(token)) {
      return; // no answer: the stream stays open until the client cancels it or the fake closes
    }
    const failure = failures.take(token);
    if (failure) {
      fake.failuresServed += 1;
      if (failure.reason === 'ExpiredProviderToken') {
        // Apple now holds this token expired: a new one is due, and not "too many updates".
        expired.add(authorization);
        lastTokenIat.delete(stream.session!);
      }
      return answer(stream, failure.status, apnsId, failure.reason, failure.retryAfter !== undefined ? { 'retry-after': failure.retryAfter } : {});
    }
    const recorded: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') recorded[k] = v;
    fake.notifications.push({ token, headers: recorded, payload: payload as Record<string, any>, apnsId, providerToken: authorization });
    answer(stream, 200, apnsId);
  }

  function checkProviderToken(jwt: string, key: KeyObject, session: Http2Session): { status: number; reason: string; detail: string; violation: boolean } | undefined {
    if (expired.has(jwt)) return { status: 403, reason: 'ExpiredProviderToken', detail: 'expired by the test', violation: false };
    let verified;
    try {
      verified = verifyJws(jwt, { alg: 'ES256', key });
    } catch (error) {
      return { status: 403, reason: 'InvalidProviderToken', detail: error instanceof JwsError ? error.message : String(error), violation: true };
    }
    const { header, claims } = verified;
    const invalid = (detail: string) => ({ status: 403, reason: 'InvalidProviderToken', detail, violation: true });
    if (header.kid !== fake.keyId) return invalid(`kid ${String(header.kid)} is not ${fake.keyId}`);
    if (claims.iss !== fake.teamId) return invalid(`iss ${String(claims.iss)} is not ${fake.teamId}`);
    if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat)) return invalid('iat missing');
    const nowSeconds = Math.floor(now() / 1000);
    if (claims.iat > nowSeconds + 60) return invalid(`iat ${claims.iat} is in the future`);
    if (nowSeconds - claims.iat > 3600) return { status: 403, reason: 'ExpiredProviderToken', detail: `iat ${claims.iat} is over an hour old`, violation: true };
    const last = lastTokenIat.get(session);
    if (last === undefined || claims.iat !== last) {
      if (last !== undefined && claims.iat < last + 20 * 60) {
        return { status: 429, reason: 'TooManyProviderTokenUpdates', detail: `new token ${claims.iat - last} s after the previous one on this connection`, violation: true };
      }
      lastTokenIat.set(session, claims.iat);
    }
    if (!fake.providerTokens.includes(jwt)) fake.providerTokens.push(jwt);
    return undefined;
  }

  return fake;
}

function checkPayload(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'not a JSON object';
  const aps = (payload as Record<string, unknown>).aps;
  if (typeof aps !== 'object' || aps === null || Array.isArray(aps)) return 'aps is not a dictionary';
  const a = aps as Record<string, unknown>;
  if (a.alert !== undefined) {
    if (typeof a.alert === 'object' && a.alert !== null) {
      const alert = a.alert as Record<string, unknown>;
      if (typeof alert.title !== 'string' || typeof alert.body !== 'string') return 'aps.alert needs string title and body';
    } else if (typeof a.alert !== 'string') return 'aps.alert is neither a string nor a dictionary';
  }
  if (a.sound !== undefined && typeof a.sound !== 'string' && typeof a.sound !== 'object') return 'aps.sound is not a string';
  if (a['thread-id'] !== undefined && typeof a['thread-id'] !== 'string') return 'aps.thread-id is not a string';
  return undefined;
}
