import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { request } from 'node:https';
import { after, before, beforeEach, describe, it } from 'node:test';
import webpush from 'web-push';
import { createWebPushFake, encryptAes128gcm, type PushSubscriptionJson, type WebPushFake } from '../helpers/push-fakes/web-push.js';

const vapidKeys = webpush.generateVAPIDKeys();
const vapidDetails = { subject: 'mailto:ops@saju-dating.example', publicKey: vapidKeys.publicKey, privateKey: vapidKeys.privateKey };

/** A VAPID JWT with chosen claims, signed with the VAPID private key (web-push refuses to make bad ones). */
function vapidJwt(claims: Record<string, unknown>, privateKey = vapidKeys.privateKey, publicKey = vapidKeys.publicKey): string {
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: privateKey, x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** POSTs a push as-is (for requests the web-push library would never produce). */
function post(fake: WebPushFake, endpoint: string, headers: Record<string, string | number>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers, agent: fake.agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local Web Push service decrypts RFC 8291 pushes and verifies RFC 8292 VAPID', () => {
  let fake: WebPushFake;
  let subscription: PushSubscriptionJson;

  before(async () => {
    fake = await createWebPushFake();
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    subscription = fake.createSubscription({ applicationServerKey: vapidKeys.publicKey });
  });

  it('hands out subscriptions shaped like PushSubscription.toJSON()', () => {
    assert.match(subscription.endpoint, new RegExp(`^${fake.origin}/push/[\\w-]+$`));
    assert.equal(subscription.expirationTime, null);
    assert.equal(Buffer.from(subscription.keys.p256dh, 'base64url').length, 65);
    assert.equal(Buffer.from(subscription.keys.p256dh, 'base64url')[0], 0x04);
    assert.equal(Buffer.from(subscription.keys.auth, 'base64url').length, 16);
    assert.ok(fake.origin.startsWith('https://127.0.0.1:'));
  });

  it('decrypts what the web-push library encrypted and reads its VAPID claims and headers', async () => {
    const payload = { title: '새로운 대화 요청', body: '지민님이 대화를 신청했어요', data: { type: 'match_requested', match_id: '7' } };
    const result = await webpush.sendNotification(subscription, JSON.stringify(payload), {
      vapidDetails,
      TTL: 3600,
      urgency: 'high',
      topic: 'match7',
      agent: fake.agent,
    });
    assert.equal(result.statusCode, 201);
    assert.match(String(result.headers.location), new RegExp(`^${fake.origin}/message/`));
    assert.deepEqual(fake.violations, []);
    assert.equal(fake.received.length, 1);
    const push = fake.received[0]!;
    assert.deepEqual(push.json(), payload);
    assert.equal(push.endpoint, subscription.endpoint);
    assert.equal(push.ttl, 3600);
    assert.equal(push.urgency, 'high');
    assert.equal(push.topic, 'match7');
    assert.equal(push.vapid.sub, 'mailto:ops@saju-dating.example');
    assert.equal(push.vapid.aud, fake.origin);
    assert.equal(push.vapid.publicKey, vapidKeys.publicKey);
    const hoursAhead = (push.vapid.exp - Date.now() / 1000) / 3600;
    assert.ok(hoursAhead > 0 && hoursAhead <= 24, `exp ${hoursAhead} h ahead`);
  });

  it('decrypts a payload near the 4096-byte limit, and padded records of its own encoder', async () => {
    const long = '가'.repeat(1300); // 3900 bytes of UTF-8
    await webpush.sendNotification(subscription, long, { vapidDetails, TTL: 60, agent: fake.agent });
    assert.equal(fake.received[0]!.text, long);
    const auth = `vapid t=${vapidJwt({ aud: fake.origin, exp: Math.floor(Date.now() / 1000) + 3600, sub: 'https://saju-dating.example' })}, k=${vapidKeys.publicKey}`;
    const padded = encryptAes128gcm(Buffer.from('패딩 뒤의 본문\u0000끝'), subscription, { padding: 100 });
    assert.equal(await post(fake, subscription.endpoint, { authorization: auth, ttl: 0, 'content-encoding': 'aes128gcm' }, padded), 201);
    assert.equal(fake.received[1]!.text, '패딩 뒤의 본문\u0000끝');
    assert.deepEqual(fake.violations, []);
  });

  it('refuses a tampered VAPID signature, a forged key, a wrong audience, a stale or far exp, and no contact', async () => {
    const details = webpush.generateRequestDetails(subscription, 'hello', { vapidDetails, TTL: 60 });
    const headers = details.headers as Record<string, string | number>;
    const body = details.body as Buffer;
    const authorization = String(headers.Authorization);
    const [, jwt, k] = /^vapid t=([^,]+), k=(.+)$/.exec(authorization)!;
    const [h, c, s] = jwt!.split('.');
    const flipped = Buffer.from(s!, 'base64url');
    flipped[10] = flipped[10]! ^ 0x01;
    const send = (auth: string) => post(fake, subscription.endpoint, { ...headers, Authorization: auth }, body);

    assert.equal(await send(`vapid t=${h}.${c}.${flipped.toString('base64url')}, k=${k}`), 401);
    const other = webpush.generateVAPIDKeys();
    const otherHeaders = webpush.getVapidHeaders(fake.origin, vapidDetails.subject, other.publicKey, other.privateKey, 'aes128gcm');
    assert.equal(await send(String(otherHeaders.Authorization)), 403); // signed well, but not the subscription's key
    const nowSeconds = Math.floor(Date.now() / 1000);
    assert.equal(await send(`vapid t=${vapidJwt({ aud: 'https://push.example.net', exp: nowSeconds + 60, sub: vapidDetails.subject })}, k=${k}`), 401);
    assert.equal(await send(`vapid t=${vapidJwt({ aud: fake.origin, exp: nowSeconds - 1, sub: vapidDetails.subject })}, k=${k}`), 401);
    assert.equal(await send(`vapid t=${vapidJwt({ aud: fake.origin, exp: nowSeconds + 25 * 3600, sub: vapidDetails.subject })}, k=${k}`), 401);
    assert.equal(await send(`vapid t=${vapidJwt({ aud: fake.origin, exp: nowSeconds + 60 })}, k=${k}`), 401);
    assert.equal(await send(`WebPush ${jwt}`), 401);
    assert.equal(fake.received.length, 0);
    assert.equal(fake.violations.length, 7);
    assert.match(fake.violations[0]!, /^401 vapid t: signature does not verify/);
    assert.match(fake.violations[1]!, /^403 vapid k is not the applicationServerKey/);
    assert.match(fake.violations[2]!, /^401 vapid aud https:\/\/push\.example\.net is not/);
    assert.match(fake.violations[3]!, /^401 vapid exp \d+ has passed/);
    assert.match(fake.violations[4]!, /more than 24 hours ahead/);
    assert.match(fake.violations[5]!, /vapid sub undefined/);
    // The untampered request goes through: the refusals above were for the changes alone.
    assert.equal(await send(authorization), 201);
    assert.equal(fake.received[0]!.text, 'hello');
  });

  it('refuses altered ciphertext, pushes for another subscription, a missing TTL and a bad Urgency or Topic', async () => {
    const details = webpush.generateRequestDetails(subscription, 'secret', { vapidDetails, TTL: 60 });
    const headers = details.headers as Record<string, string | number>;
    const body = Buffer.from(details.body as Buffer);
    body[body.length - 20] = body[body.length - 20]! ^ 0x80;
    assert.equal(await post(fake, subscription.endpoint, headers, body), 400);
    // Encrypted for one subscription, sent to another with the same VAPID key: its keys do not open it.
    const second = fake.createSubscription();
    assert.equal(await post(fake, second.endpoint, headers, details.body as Buffer), 400);
    const { TTL: _, ...noTtl } = headers;
    assert.equal(await post(fake, subscription.endpoint, noTtl, details.body as Buffer), 400);
    assert.equal(await post(fake, subscription.endpoint, { ...headers, Urgency: 'asap' }, details.body as Buffer), 400);
    assert.equal(await post(fake, subscription.endpoint, { ...headers, Topic: 'chat:42' }, details.body as Buffer), 400);
    assert.equal(await post(fake, subscription.endpoint, { ...headers, 'Content-Encoding': 'aesgcm' }, details.body as Buffer), 415);
    assert.equal(fake.received.length, 0);
    assert.deepEqual(
      fake.violations.map((v) => v.split(':')[0]),
      ['400 cannot decrypt', '400 cannot decrypt', '400 TTL header missing or not a number (undefined)', '400 Urgency asap is not very-low, low, normal or high', '400 Topic chat', '415 Content-Encoding aesgcm is not aes128gcm'],
    );
  });

  it('answers programmed 404, 410 and 429 with Retry-After, and 410 after unsubscribe', async () => {
    const send = (target: PushSubscriptionJson) => webpush.sendNotification(target, 'x', { vapidDetails, TTL: 60, agent: fake.agent });
    const statusOf = async (target: PushSubscriptionJson) => {
      try {
        return { status: (await send(target)).statusCode };
      } catch (error) {
        const e = error as { statusCode: number; headers: Record<string, string> };
        return { status: e.statusCode, retryAfter: e.headers['retry-after'] };
      }
    };
    const other = fake.createSubscription();
    fake.fail({ status: 410, endpoint: subscription.endpoint });
    assert.deepEqual(await statusOf(other), { status: 201 });
    assert.deepEqual(await statusOf(subscription), { status: 410, retryAfter: undefined });
    fake.fail({ status: 404 });
    assert.deepEqual(await statusOf(subscription), { status: 404, retryAfter: undefined });
    fake.fail({ status: 429, retryAfter: '30', times: 2 });
    assert.deepEqual(await statusOf(subscription), { status: 429, retryAfter: '30' });
    assert.deepEqual(await statusOf(other), { status: 429, retryAfter: '30' });
    assert.deepEqual(await statusOf(subscription), { status: 201 });
    fake.unsubscribe(other.endpoint);
    assert.deepEqual(await statusOf(other), { status: 410, retryAfter: undefined });
    assert.equal(fake.received.length, 2);
    assert.deepEqual(fake.violations, []);
  });

  it('also serves plain HTTP for clients that send generateRequestDetails() themselves', async () => {
    const plain = await createWebPushFake({ tls: false });
    try {
      const target = plain.createSubscription();
      assert.ok(target.endpoint.startsWith('http://127.0.0.1:'));
      const details = webpush.generateRequestDetails(target, '{"type":"daily_picks"}', { vapidDetails, TTL: 120, urgency: 'normal' });
      const response = await fetch(details.endpoint, { method: 'POST', headers: details.headers as Record<string, string>, body: details.body as Buffer });
      assert.equal(response.status, 201);
      assert.deepEqual(plain.received[0]!.json(), { type: 'daily_picks' });
      assert.equal(plain.received[0]!.vapid.aud, plain.origin);
      assert.deepEqual(plain.violations, []);
    } finally {
      await plain.close();
    }
  });
});
