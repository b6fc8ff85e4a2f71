/**
 * A local Firebase Cloud Messaging (HTTP v1) for tests: one server that is both the service
 * account's OAuth `token_uri` and `messages:send`; plain HTTP, or HTTPS with `tls: true` (a
 * self-signed certificate, `fcm.ca`: trust it with the provider's `ca` option, or in a child
 * process with NODE_EXTRA_CA_CERTS).
 *
 *   const fcm = await createFcmFake();               // listens on 127.0.0.1, port 0
 *   // the app: FCM_ENDPOINT=fcm.endpoint, FCM_SERVICE_ACCOUNT_JSON=fcm.serviceAccountJson
 *   // (or write fcm.serviceAccountJson to a file for FCM_SERVICE_ACCOUNT_FILE)
 *   fcm.messages                 // every accepted message: { token, message, accessToken }
 *   fcm.tokenExchanges           // OAuth exchanges granted (caching: one for many sends)
 *   fcm.violations               // every protocol error the fake found (assert it stays [])
 *   fcm.fail({ status: 404 })    // next send answers 404 UNREGISTERED (token?: only that device;
 *                                // times?: how many, default 1, Infinity allowed; retryAfter?: '7')
 *   fcm.failTokenExchange({ status: 500 })
 *   fcm.stall({ times: 1 })      // next send gets no answer at all (until close): client timeouts
 *   fcm.revokeAccessTokens()     // every token issued so far answers 401 UNAUTHENTICATED
 *   fcm.reset()                  // forget messages, counters, violations and programmed failures
 *   await fcm.close()
 *
 * The service account is made per fake: a fresh RSA key, so the token endpoint verifies the RS256
 * assertion with the public key as Google would (alg, kid, iss = client_email, aud = token_uri,
 * scope, iat/exp), and grant_type. `messages:send` checks the bearer token, the project in the
 * path, and every field of the body against the HTTP v1 `Message` resource: known keys only,
 * exactly one target, `data` values strings and no reserved keys, `android.ttl` a Duration
 * ("3600s", ≤ 4 weeks), `android.priority`, APNs header values strings (`apns-expiration`
 * a UNIX time, `apns-priority` 5 or 10, `apns-collapse-id` ≤ 64 bytes), the 4096-byte limit.
 * Refusals are answered as FCM answers them (JSON `error` with status and FcmError details).
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { JwsError, verifyJws } from './jws.js';
import { testCertificate } from './tls.js';
import { Programmed } from './programmed.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export interface FcmFakeOptions {
  tls?: boolean;
  projectId?: string;
  /** `expires_in` of the access tokens the fake grants (seconds). */
  accessTokenLifetimeSeconds?: number;
  /** The fake's clock (ms), for iat/exp checks and access-token expiry. */
  now?: () => number;
}

export interface FcmServiceAccountFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

export interface FcmReceived {
  token: string;
  /** The whole `message` object as sent. */
  message: Record<string, any>;
  accessToken: string;
}

export interface FcmFailure {
  status: number;
  /** FcmError code; by default the one FCM gives with that status (404 UNREGISTERED, 429 QUOTA_EXCEEDED…). */
  errorCode?: string;
  /** Only for this registration token. */
  token?: string;
  times?: number;
  /** `Retry-After` header value. */
  retryAfter?: string;
}

export interface FcmFake {
  endpoint: string;
  /** PEM of the self-signed certificate with `tls: true`. */
  ca: string | undefined;
  tokenUri: string;
  projectId: string;
  serviceAccount: FcmServiceAccountFile;
  serviceAccountJson: string;
  messages: FcmReceived[];
  tokenExchanges: number;
  /** Send attempts answered with an error the test programmed (not violations). */
  failuresServed: number;
  violations: string[];
  fail(failure: FcmFailure): void;
  failTokenExchange(failure: { status: number; times?: number }): void;
  stall(options?: { token?: string; times?: number }): void;
  revokeAccessTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

const GOOGLE_STATUS: Record<number, { status: string; errorCode?: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', errorCode: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', errorCode: 'SENDER_ID_MISMATCH', message: 'SenderId mismatch' },
  404: { status: 'NOT_FOUND', errorCode: 'UNREGISTERED', message: 'Requested entity was not found.' },
  429: { status: 'RESOURCE_EXHAUSTED', errorCode: 'QUOTA_EXCEEDED', message: 'Quota exceeded.' },
  500: { status: 'INTERNAL', errorCode: 'INTERNAL', message: 'Internal error encountered.' },
  503: { status: 'UNAVAILABLE', errorCode: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
};

export async function createFcmFake(options: FcmFakeOptions = {}): Promise<FcmFake> {
  const now = options.now ?? Date.now;
  const projectId = options.projectId ?? 'saju-test';
  const lifetime = options.accessTokenLifetimeSeconds ?? 3599;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyId = randomBytes(20).toString('hex');
  const accessTokens = new Map<string, { expiresAtMs: number; revoked: boolean }>();
  const failures = new Programmed<FcmFailure>((f) => f.token);
  const tokenFailures = new Programmed<{ status: number; times?: number | undefined }>();
  const stalls = new Programmed<{ token?: string | undefined; times?: number | undefined }>((s) => s.token);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((error: unknown) => {
      fake.violations.push(`fake crashed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const certificate = options.tls ? await testCertificate() : undefined;
  const server: Server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `${certificate ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenUri = `${endpoint}/token`;
  const serviceAccount: FcmServiceAccountFile = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `push-sender@${projectId}.iam.gserviceaccount.com`,
    client_id: '100000000000000000001',
    token_uri: tokenUri,
  };

  const fake: FcmFake = {
    endpoint,
    ca: certificate?.cert,
    tokenUri,
    projectId,
    serviceAccount,
    serviceAccountJson: JSON.stringify(serviceAccount),
    messages: [],
    tokenExchanges: 0,
    failuresServed: 0,
    violations: [],
    fail(failure) {
      failures.add(failure);
    },
    failTokenExchange(failure) {
      tokenFailures.add({ status: failure.status, times: failure.times });
    },
    stall(options = {}) {
      stalls.add({ token: options.token, times: options.times });
    },
    revokeAccessTokens() {
      for (const entry of accessTokens.values()) entry.revoked = true;
    },
    reset() {
      fake.messages.length = 0;
      fake.violations.length = 0;
      fake.tokenExchanges = 0;
      fake.failuresServed = 0;
      failures.clear();
      tokenFailures.clear();
      stalls.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', endpoint);
    if (req.method === 'POST' && url.pathname === '/token') return exchange(req, body, res);
    const send = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url.pathname);
    if (req.method === 'POST' && send) return messagesSend(req, decodeURIComponent(send[1]!), body, res);
    refuse(res, 404, `no such route: ${req.method} ${url.pathname}`);
  }

  function exchange(req: IncomingMessage, body: string, res: ServerResponse): void {
    const problem = (description: string) => {
      fake.violations.push(`token exchange: ${description}`);
      json(res, 400, { error: 'invalid_grant', error_description: description });
    };
    const programmed = tokenFailures.take();
    if (programmed) {
      json(res, programmed.status, { error: programmed.status >= 500 ? 'internal_failure' : 'invalid_grant', error_description: 'programmed failure' });
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return problem('content-type is not application/x-www-form-urlencoded');
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return problem(`grant_type is ${form.get('grant_type')}`);
    const assertion = form.get('assertion');
    if (!assertion) return problem('no assertion');
    const reason = checkAssertion(assertion, publicKey);
    if (reason) return problem(reason);
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    accessTokens.set(accessToken, { expiresAtMs: now() + lifetime * 1000, revoked: false });
    fake.tokenExchanges += 1;
    json(res, 200, { access_token: accessToken, expires_in: lifetime, token_type: 'Bearer' });
  }

  function checkAssertion(assertion: string, key: KeyObject): string | undefined {
    let verified;
    try {
      verified = verifyJws(assertion, { alg: 'RS256', key });
    } catch (error) {
      return `assertion: ${error instanceof JwsError ? error.message : String(error)}`;
    }
    const { header, claims } = verified;
    if (header.kid !== undefined && header.kid !== privateKeyId) return `assertion kid ${String(header.kid)} is not the key's id`;
    if (claims.iss !== serviceAccount.client_email) return `assertion iss ${String(claims.iss)} is not the client_email`;
    if (claims.aud !== tokenUri) return `assertion aud ${String(claims.aud)} is not the token_uri`;
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(FCM_SCOPE)) return `assertion scope ${String(claims.scope)} lacks ${FCM_SCOPE}`;
    const nowSeconds = now() / 1000;
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return 'assertion iat/exp missing';
    if (Math.abs(claims.iat - nowSeconds) > 300) return `assertion iat ${claims.iat} is not now (${Math.floor(nowSeconds)})`;
    if (claims.exp <= nowSeconds || claims.exp - claims.iat > 3600) return `assertion exp ${claims.exp} expired or more than an hour after iat`;
    return undefined;
  }

  function messagesSend(req: IncomingMessage, project: string, body: string, res: ServerResponse): void {
    const bearer = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const entry = bearer === undefined ? undefined : accessTokens.get(bearer);
    if (!bearer || !entry || entry.revoked || entry.expiresAtMs <= now()) {
      // Not a violation when the token was valid once: revocation and expiry are the test's doing.
      if (!entry) fake.violations.push(`send: unknown bearer token ${String(req.headers.authorization)}`);
      return googleError(res, 401);
    }
    if (project !== projectId) {
      fake.violations.push(`send: project ${project} is not ${projectId}`);
      return googleError(res, 403, 'PERMISSION_DENIED');
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      fake.violations.push(`send: content-type ${String(req.headers['content-type'])}`);
      return googleError(res, 400);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      fake.violations.push('send: body is not JSON');
      return googleError(res, 400);
    }
    const problems = checkSendBody(parsed);
    if (problems.length > 0) {
      fake.violations.push(...problems.map((p) => `send: ${p}`));
      return googleError(res, 400, undefined, problems.join('; '));
    }
    const message = (parsed as { message: Record<string, any> }).message;
    const token = message.token as string;
    if (stalls.take(token)) {
      return; // no answer: the connection stays open until the client gives up or the fake closes
    }
    const failure = failures.take(token);
    if (failure) {
      fake.failuresServed += 1;
      if (failure.retryAfter !== undefined) res.setHeader('retry-after', failure.retryAfter);
      return googleError(res, failure.status, failure.errorCode);
    }
    fake.messages.push({ token, message, accessToken: bearer });
    json(res, 200, { name: `projects/${projectId}/messages/${randomUUID()}` });
  }

  return fake;
}

/** Every problem FCM would refuse the `messages:send` body for. */
export function checkSendBody(body: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ['body is not an object'];
  extraKeys(body, ['message', 'validate_only'], 'body', problems);
  const m = body.message;
  if (!isObject(m)) return [...problems, 'message is not an object'];
  extraKeys(m, ['name', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options', 'token', 'topic', 'condition'], 'message', problems);
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) problems.push(`message needs exactly one of token/topic/condition, has ${targets.join(',') || 'none'}`);
  if (m.token !== undefined && (typeof m.token !== 'string' || m.token === '')) problems.push('message.token is not a non-empty string');
  if (m.data !== undefined) checkData(m.data, 'message.data', problems);
  if (m.notification !== undefined) {
    if (!isObject(m.notification)) problems.push('message.notification is not an object');
    else {
      extraKeys(m.notification, ['title', 'body', 'image'], 'message.notification', problems);
      for (const [k, v] of Object.entries(m.notification)) if (typeof v !== 'string') problems.push(`message.notification.${k} is not a string`);
    }
  }
  if (m.android !== undefined) checkAndroid(m.android, problems);
  if (m.apns !== undefined) checkApns(m.apns, problems);
  if (m.webpush !== undefined) checkWebpush(m.webpush, problems);
  const size = Buffer.byteLength(JSON.stringify({ data: m.data ?? {}, notification: m.notification ?? {} }));
  if (size > 4096) problems.push(`message payload is ${size} bytes, over 4096`);
  return problems;
}

const RESERVED_DATA_KEY = /^(from|notification|message_type|google.*|gcm.*)$/i;

function checkData(data: unknown, where: string, problems: string[]): void {
  if (!isObject(data)) {
    problems.push(`${where} is not an object`);
    return;
  }
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') problems.push(`${where}.${k} is not a string (FCM data values are strings)`);
    if (RESERVED_DATA_KEY.test(k)) problems.push(`${where} uses the reserved key ${k}`);
  }
}

const ANDROID_NOTIFICATION_KEYS = [
  'title', 'body', 'icon', 'color', 'sound', 'tag', 'click_action', 'body_loc_key', 'body_loc_args', 'title_loc_key',
  'title_loc_args', 'channel_id', 'ticker', 'sticky', 'event_time', 'local_only', 'notification_priority', 'default_sound',
  'default_vibrate_timings', 'default_light_settings', 'vibrate_timings', 'visibility', 'notification_count', 'light_settings',
  'image', 'bypass_proxy_notification', 'proxy',
];

function checkAndroid(android: unknown, problems: string[]): void {
  if (!isObject(android)) {
    problems.push('message.android is not an object');
    return;
  }
  const a = snakeKeys(android);
  extraKeys(a, ['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok', 'bandwidth_constrained_ok', 'restricted_satellite_ok'], 'message.android', problems);
  if (a.collapse_key !== undefined && typeof a.collapse_key !== 'string') problems.push('message.android.collapse_key is not a string');
  if (a.priority !== undefined && !['normal', 'high', 'NORMAL', 'HIGH'].includes(a.priority as string)) problems.push(`message.android.priority ${String(a.priority)} is not normal or high`);
  if (a.ttl !== undefined) {
    const match = typeof a.ttl === 'string' ? /^(\d+)(\.\d{1,9})?s$/.exec(a.ttl) : null;
    if (!match) problems.push(`message.android.ttl ${String(a.ttl)} is not a Duration such as "3600s"`);
    else if (Number(match[1]) > 2419200) problems.push(`message.android.ttl ${String(a.ttl)} is over 4 weeks`);
  }
  if (a.data !== undefined) checkData(a.data, 'message.android.data', problems);
  if (a.notification !== undefined) {
    if (!isObject(a.notification)) problems.push('message.android.notification is not an object');
    else extraKeys(snakeKeys(a.notification), ANDROID_NOTIFICATION_KEYS, 'message.android.notification', problems);
  }
}

function checkApns(apns: unknown, problems: string[]): void {
  if (!isObject(apns)) {
    problems.push('message.apns is not an object');
    return;
  }
  const a = snakeKeys(apns);
  extraKeys(a, ['headers', 'payload', 'fcm_options', 'live_activity_token'], 'message.apns', problems);
  if (a.headers !== undefined) {
    if (!isObject(a.headers)) problems.push('message.apns.headers is not an object');
    else {
      const h = a.headers;
      for (const [k, v] of Object.entries(h)) if (typeof v !== 'string') problems.push(`message.apns.headers.${k} is not a string`);
      if (h['apns-expiration'] !== undefined && !/^\d+$/.test(String(h['apns-expiration']))) problems.push('message.apns.headers.apns-expiration is not a UNIX time');
      if (h['apns-priority'] !== undefined && !['5', '10', '1'].includes(String(h['apns-priority']))) problems.push('message.apns.headers.apns-priority is not 5 or 10');
      if (h['apns-collapse-id'] !== undefined && Buffer.byteLength(String(h['apns-collapse-id'])) > 64) problems.push('message.apns.headers.apns-collapse-id is over 64 bytes');
      if (h['apns-push-type'] !== undefined && !APNS_PUSH_TYPES.includes(String(h['apns-push-type']))) problems.push('message.apns.headers.apns-push-type is unknown');
    }
  }
  if (a.payload !== undefined) {
    if (!isObject(a.payload)) problems.push('message.apns.payload is not an object');
    else if (a.payload.aps !== undefined && !isObject(a.payload.aps)) problems.push('message.apns.payload.aps is not an object');
  }
}

function checkWebpush(webpush: unknown, problems: string[]): void {
  if (!isObject(webpush)) {
    problems.push('message.webpush is not an object');
    return;
  }
  const w = snakeKeys(webpush);
  extraKeys(w, ['headers', 'data', 'notification', 'fcm_options'], 'message.webpush', problems);
  if (w.headers !== undefined) {
    if (!isObject(w.headers)) problems.push('message.webpush.headers is not an object');
    else {
      for (const [k, v] of Object.entries(w.headers)) if (typeof v !== 'string') problems.push(`message.webpush.headers.${k} is not a string`);
      if (w.headers.TTL !== undefined && !/^\d+$/.test(String(w.headers.TTL))) problems.push('message.webpush.headers.TTL is not a number of seconds');
    }
  }
  if (w.data !== undefined) checkData(w.data, 'message.webpush.data', problems);
}

const APNS_PUSH_TYPES = ['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk'];

/** Protobuf JSON accepts lowerCamelCase and the proto's snake_case names alike. */
function snakeKeys(value: Record<string, unknown>): Record<string, any> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

function extraKeys(value: Record<string, unknown>, allowed: string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where} has unknown field ${key}`);
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function googleError(res: ServerResponse, code: number, errorCode?: string, message?: string): void {
  const known = GOOGLE_STATUS[code] ?? { status: 'UNKNOWN', message: 'Unknown error.' };
  const fcmCode = errorCode ?? known.errorCode;
  json(res, code, {
    error: {
      code,
      message: message ?? known.message,
      status: errorCode === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : known.status,
      ...(fcmCode && fcmCode !== 'PERMISSION_DENIED' ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmCode }] } : {}),
    },
  });
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
