/**
 * A local Web Push service (RFC 8030) for tests: it hands out subscriptions as a browser's
 * `PushSubscription.toJSON()` would, keeps each one's private ECDH key and auth secret, and for
 * every push DECRYPTS the aes128gcm body (RFC 8291 + RFC 8188) and VERIFIES the VAPID
 * `Authorization: vapid t=<JWT>, k=<key>` header (RFC 8292) before recording it.
 *
 *   const push = await createWebPushFake();          // HTTPS on 127.0.0.1, port 0, self-signed
 *   const subscription = push.createSubscription();  // { endpoint, expirationTime: null, keys: { p256dh, auth } }
 *   push.createSubscription({ applicationServerKey }) // bound to a VAPID public key (base64url):
 *                                                    // pushes signed with another key get 403
 *   // web-push library: webpush.sendNotification(subscription, payload, { vapidDetails, agent: push.agent })
 *   //   (web-push always speaks HTTPS; `agent` trusts the fake's certificate, `push.ca` is its PEM)
 *   push.received                // decrypted pushes: { endpoint, text, json(), ttl, urgency, topic, vapid }
 *   push.violations              // every refused push and why (assert it stays [] in app tests)
 *   push.fail({ status: 410 })   // next push answers 410 (endpoint?: only that subscription;
 *                                // times?: default 1, Infinity allowed; retryAfter?: for 429)
 *   push.unsubscribe(endpoint)   // that subscription answers 410 Gone from now on
 *   push.reset(); await push.close()
 *
 * `createWebPushFake({ tls: false })` serves plain HTTP (endpoints http://…) for clients that
 * send the web-push library's `generateRequestDetails()` themselves.
 *
 * What a push must carry (else the status a push service answers, and a violation):
 * `TTL` (400 if missing), `Urgency` ∈ very-low/low/normal/high and `Topic` ≤ 32 base64url
 * characters when present (400), `Content-Encoding: aes128gcm` for a body (415), a body of at
 * most 4096 bytes (413) that decrypts as one record ending in the 0x02 delimiter (400); VAPID:
 * ES256 signature under `k` (an uncompressed P-256 point), `aud` = the endpoint's origin, `exp`
 * in the future and at most 24 hours ahead, `sub` a mailto: or https: URL (401 otherwise).
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  randomBytes,
  randomUUID,
  type ECDH,
} from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { JwsError, verifyJws } from './jws.js';
import { testCertificate } from './tls.js';
import { Programmed } from './programmed.js';

export interface WebPushFakeOptions {
  tls?: boolean;
  /** The fake's clock (ms), for the VAPID `exp` checks. */
  now?: () => number;
}

/** What a browser's `PushSubscription.toJSON()` gives. */
export interface PushSubscriptionJson {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

export interface WebPushReceived {
  endpoint: string;
  /** The decrypted payload. */
  payload: Buffer;
  text: string;
  json(): unknown;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  vapid: { sub: string; aud: string; exp: number; publicKey: string };
}

export interface WebPushFailure {
  status: number;
  endpoint?: string;
  times?: number;
  retryAfter?: string;
}

export interface WebPushFake {
  origin: string;
  /** PEM of the self-signed certificate (undefined with tls: false). */
  ca: string | undefined;
  /** An https.Agent that trusts `ca`, for the web-push library's `agent` option. */
  agent: Agent | undefined;
  received: WebPushReceived[];
  violations: string[];
  createSubscription(options?: { applicationServerKey?: string }): PushSubscriptionJson;
  unsubscribe(endpoint: string): void;
  fail(failure: WebPushFailure): void;
  reset(): void;
  close(): Promise<void>;
}

interface Subscription {
  ecdh: ECDH;
  publicKey: Buffer;
  auth: Buffer;
  applicationServerKey: string | undefined;
  gone: boolean;
}

export async function createWebPushFake(options: WebPushFakeOptions = {}): Promise<WebPushFake> {
  const now = options.now ?? Date.now;
  const tls = options.tls ?? true;
  const certificate = tls ? await testCertificate() : undefined;
  const subscriptions = new Map<string, Subscription>();
  const failures = new Programmed<WebPushFailure>((f) => f.endpoint);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((error: unknown) => {
      fake.violations.push(`fake crashed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server: Server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest) : createHttpServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = certificate ? new Agent({ ca: certificate.cert, keepAlive: true }) : undefined;

  const fake: WebPushFake = {
    origin,
    ca: certificate?.cert,
    agent,
    received: [],
    violations: [],
    createSubscription(subscriptionOptions = {}) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const id = randomBytes(16).toString('base64url');
      const subscription: Subscription = {
        ecdh,
        publicKey: ecdh.getPublicKey(),
        auth: randomBytes(16),
        applicationServerKey: subscriptionOptions.applicationServerKey,
        gone: false,
      };
      subscriptions.set(id, subscription);
      return {
        endpoint: `${origin}/push/${id}`,
        expirationTime: null,
        keys: { p256dh: subscription.publicKey.toString('base64url'), auth: subscription.auth.toString('base64url') },
      };
    },
    unsubscribe(endpoint) {
      const subscription = subscriptions.get(endpoint.split('/').pop() ?? '');
      if (subscription) subscription.gone = true;
    },
    fail(failure) {
      failures.add(failure);
    },
    reset() {
      fake.received.length = 0;
      fake.violations.length = 0;
      failures.clear();
    },
    close() {
      agent?.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', origin);
    const endpoint = `${origin}${url.pathname}`;
    const refuse = (status: number, why: string) => {
      fake.violations.push(`${status} ${why}`);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(why);
    };
    const match = /^\/push\/([\w-]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return refuse(404, `no push resource at ${req.method} ${url.pathname}`);
    const subscription = subscriptions.get(match[1]!);
    if (!subscription) return refuse(404, `unknown subscription ${match[1]}`);
    if (subscription.gone) {
      // The subscription expired or the user unsubscribed: RFC 8030 §7.3 says 410. Not a violation.
      res.writeHead(410).end();
      return;
    }

    const vapid = checkVapid(req.headers.authorization, origin, subscription, now());
    if ('status' in vapid) return refuse(vapid.status, vapid.why);

    const ttlHeader = header(req, 'ttl');
    if (ttlHeader === undefined || !/^\d+$/.test(ttlHeader)) return refuse(400, `TTL header missing or not a number (${String(ttlHeader)})`);
    const urgency = header(req, 'urgency');
    if (urgency !== undefined && !['very-low', 'low', 'normal', 'high'].includes(urgency)) return refuse(400, `Urgency ${urgency} is not very-low, low, normal or high`);
    const topic = header(req, 'topic');
    if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return refuse(400, `Topic ${topic} is not at most 32 base64url characters`);

    const failure = failures.take(endpoint);
    if (failure) {
      res.writeHead(failure.status, failure.retryAfter !== undefined ? { 'retry-after': failure.retryAfter } : {}).end();
      return;
    }

    let payload: Buffer = Buffer.alloc(0);
    if (body.length > 0) {
      if (header(req, 'content-encoding') !== 'aes128gcm') return refuse(415, `Content-Encoding ${String(header(req, 'content-encoding'))} is not aes128gcm`);
      if (body.length > 4096) return refuse(413, `body of ${body.length} bytes is over 4096`);
      try {
        payload = decryptAes128gcm(body, subscription);
      } catch (error) {
        return refuse(400, `cannot decrypt: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const text = payload.toString('utf8');
    fake.received.push({
      endpoint,
      payload,
      text,
      json: () => JSON.parse(text) as unknown,
      ttl: Number(ttlHeader),
      urgency,
      topic,
      vapid: vapid.claims,
    });
    res.writeHead(201, { location: `${origin}/message/${randomUUID()}`, ttl: ttlHeader }).end();
  }

  return fake;
}

/**
 * RFC 8292 §3: `Authorization: vapid t=<JWT>, k=<base64url uncompressed P-256 key>`. 401 for a
 * missing or invalid token, 403 when the key is not the one the subscription was made for (§4.2).
 */
function checkVapid(
  authorization: string | undefined,
  origin: string,
  subscription: Subscription,
  nowMs: number,
): { status: number; why: string } | { claims: WebPushReceived['vapid'] } {
  const scheme = /^vapid\s+(.*)$/i.exec(authorization ?? '');
  if (!scheme) return { status: 401, why: `Authorization is not a vapid credential: ${String(authorization)}` };
  const params = new Map<string, string>();
  for (const part of scheme[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const t = params.get('t');
  const k = params.get('k');
  if (!t || !k) return { status: 401, why: 'vapid credential lacks t or k' };
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return { status: 401, why: 'vapid k is not an uncompressed P-256 point' };
  if (subscription.applicationServerKey !== undefined && subscription.applicationServerKey !== k) {
    return { status: 403, why: 'vapid k is not the applicationServerKey the subscription was made with' };
  }
  let key;
  try {
    key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return { status: 401, why: 'vapid k is not a point on P-256' };
  }
  let claims: Record<string, unknown>;
  try {
    claims = verifyJws(t, { alg: 'ES256', key }).claims;
  } catch (error) {
    return { status: 401, why: `vapid t: ${error instanceof JwsError ? error.message : String(error)}` };
  }
  const nowSeconds = nowMs / 1000;
  if (claims.aud !== origin) return { status: 401, why: `vapid aud ${String(claims.aud)} is not the push service's origin ${origin}` };
  if (typeof claims.exp !== 'number') return { status: 401, why: 'vapid exp missing' };
  if (claims.exp <= nowSeconds) return { status: 401, why: `vapid exp ${claims.exp} has passed` };
  if (claims.exp > nowSeconds + 24 * 3600) return { status: 401, why: `vapid exp ${claims.exp} is more than 24 hours ahead` };
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) return { status: 401, why: `vapid sub ${String(claims.sub)} is not a mailto: or https: contact` };
  return { claims: { sub: claims.sub, aud: claims.aud, exp: claims.exp, publicKey: k } };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/**
 * RFC 8291 §3.4 key derivation and RFC 8188 aes128gcm decoding. The header is salt (16) ‖
 * rs (uint32) ‖ idlen ‖ keyid, keyid being the sender's ephemeral public key; a push is a single
 * record whose plaintext ends in the 0x02 delimiter followed by zero padding.
 */
export function decryptAes128gcm(body: Buffer, receiver: { ecdh: ECDH; publicKey: Buffer; auth: Buffer }): Buffer {
  if (body.length < 21) throw new Error('shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, not an uncompressed P-256 key (65)`);
  const senderPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (rs < 18) throw new Error(`record size ${rs} is below 18`);
  if (record.length > rs) throw new Error(`ciphertext of ${record.length} bytes is more than one record of ${rs}`);
  if (record.length < 17) throw new Error('record shorter than its tag');

  const ecdhSecret = receiver.ecdh.computeSecret(senderPublic);
  const prkKey = hmac(receiver.auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiver.publicKey, senderPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'latin1')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'latin1')).subarray(0, 12);

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  } catch {
    throw new Error('authentication tag does not verify (wrong keys or altered ciphertext)');
  }
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end -= 1;
  if (end < 0 || plain[end] !== 2) throw new Error('no 0x02 last-record delimiter');
  return plain.subarray(0, end);
}

/** The sender's side of RFC 8291, for tests of the fake itself (the app uses the web-push library). */
export function encryptAes128gcm(payload: Buffer, subscription: PushSubscriptionJson, options: { salt?: Buffer; padding?: number } = {}): Buffer {
  const receiverPublic = Buffer.from(subscription.keys.p256dh, 'base64url');
  const auth = Buffer.from(subscription.keys.auth, 'base64url');
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  const senderPublic = sender.getPublicKey();
  const salt = options.salt ?? randomBytes(16);
  const prkKey = hmac(auth, sender.computeSecret(receiverPublic));
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), receiverPublic, senderPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'latin1')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'latin1')).subarray(0, 12);
  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  const plain = Buffer.concat([payload, Buffer.from([2]), Buffer.alloc(options.padding ?? 0)]);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(4096, 16);
  header[20] = 65;
  return Buffer.concat([header, senderPublic, sealed]);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
