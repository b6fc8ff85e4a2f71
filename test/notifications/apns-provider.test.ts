import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApnsProvider, type ApnsProviderOptions } from '../../src/notifications/providers/apns.js';
import type { PushMessage } from '../../src/notifications/providers/types.js';
import { createApnsFake, type ApnsFake } from '../helpers/push-fakes/apns.js';

const message: PushMessage = {
  kind: 'match_accepted',
  title: '대화 요청이 수락되었어요',
  body: '서연님과 대화를 시작해 보세요',
  data: { type: 'match_accepted', match_id: '7', chat_id: '42' },
  collapseKey: 'chat:42',
  ttlSeconds: 3600,
  deliveryId: '3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F',
};
const DEVICE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const device = (n: number) => ({ platform: 'apns' as const, token: n.toString(16).padStart(64, '0') });

describe('APNs token-based HTTP/2 provider against the local APNs', () => {
  let fake: ApnsFake;
  let clock = Date.now();
  const now = () => clock;
  const providers: ApnsProvider[] = [];
  const provider = (overrides: Partial<ApnsProviderOptions> = {}) => {
    const p = new ApnsProvider({ key: fake.key, keyId: fake.keyId, teamId: fake.teamId, topic: fake.topic, endpoint: fake.endpoint, ca: fake.ca, now, ...overrides });
    providers.push(p);
    return p;
  };

  before(async () => {
    fake = await createApnsFake({ now });
  });
  after(async () => {
    await Promise.all(providers.map((p) => p.close()));
    await fake.close();
  });
  beforeEach(() => {
    clock = Date.now();
    fake.reset();
  });

  it('sends every documented header and the aps payload beside the data, over TLS', async () => {
    const apns = provider();
    assert.deepEqual(await apns.send({ platform: 'apns', token: DEVICE }, message), { outcome: 'delivered' });
    assert.deepEqual(fake.violations, []);
    assert.equal(fake.notifications.length, 1);
    const sent = fake.notifications[0]!;
    assert.equal(sent.token, DEVICE);
    const { authorization, ...headers } = sent.headers;
    assert.match(authorization!, /^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(
      Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('apns-') || k === ':method' || k === ':path' || k === 'content-type')),
      {
        ':method': 'POST',
        ':path': `/3/device/${DEVICE}`,
        'content-type': 'application/json',
        'apns-topic': 'kr.saju.dating',
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-expiration': String(Math.floor(clock / 1000) + 3600),
        'apns-collapse-id': 'chat:42',
        'apns-id': '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      },
    );
    assert.deepEqual(sent.payload, {
      aps: { alert: { title: '대화 요청이 수락되었어요', body: '서연님과 대화를 시작해 보세요' }, sound: 'default', 'thread-id': 'chat:42' },
      type: 'match_accepted',
      match_id: '7',
      chat_id: '42',
    });
    // The provider token: ES256 with kid, iss = team, iat = now (the fake verified the signature).
    const [h, c] = authorization!.slice('bearer '.length).split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h!, 'base64url').toString()), { alg: 'ES256', typ: 'JWT', kid: fake.keyId });
    assert.deepEqual(JSON.parse(Buffer.from(c!, 'base64url').toString()), { iss: fake.teamId, iat: Math.floor(clock / 1000) });
  });

  it('TTL 0 is apns-expiration 0; no collapse key, no apns-collapse-id; a delivery id that is no UUID is left to Apple', async () => {
    const apns = provider();
    const { collapseKey: _, ...rest } = message;
    assert.deepEqual(await apns.send(device(1), { ...rest, ttlSeconds: 0, deliveryId: 'outbox-17-device-3' }), { outcome: 'delivered' });
    const sent = fake.notifications[0]!;
    assert.equal(sent.headers['apns-expiration'], '0');
    assert.equal(sent.headers['apns-collapse-id'], undefined);
    assert.equal(sent.headers['apns-id'], undefined);
    assert.equal(sent.payload.aps['thread-id'], undefined);
    assert.deepEqual(fake.violations, []);
  });

  it('one connection and one provider token for many pushes, concurrent and sequential', async () => {
    const apns = provider();
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => apns.send(device(i), message)));
    for (let i = 40; i < 45; i += 1) outcomes.push(await apns.send(device(i), message));
    assert.ok(outcomes.every((o) => o.outcome === 'delivered'));
    assert.equal(fake.notifications.length, 45);
    assert.equal(fake.connections, 1);
    assert.equal(fake.providerTokens.length, 1);
    assert.deepEqual(fake.violations, []);
  });

  it('renews the provider token after 50 minutes, never sooner than 20, never older than 60', async () => {
    const apns = provider();
    await apns.send(device(1), message);
    clock += 49 * 60_000;
    await apns.send(device(2), message);
    assert.equal(fake.providerTokens.length, 1);
    clock += 2 * 60_000;
    await apns.send(device(3), message);
    assert.equal(fake.providerTokens.length, 2);
    clock += 51 * 60_000;
    await apns.send(device(4), message);
    assert.equal(fake.providerTokens.length, 3);
    assert.equal(fake.notifications.length, 4);
    assert.deepEqual(fake.violations, []);
  });

  it('403 ExpiredProviderToken: one new token (shared by concurrent pushes) and the push is sent again', async () => {
    const apns = provider();
    await apns.send(device(1), message);
    fake.expireProviderTokens();
    const outcomes = await Promise.all([2, 3, 4, 5].map((n) => apns.send(device(n), message)));
    assert.ok(outcomes.every((o) => o.outcome === 'delivered'), JSON.stringify(outcomes));
    assert.equal(fake.providerTokens.length, 2);
    assert.equal(fake.notifications.length, 5);
    assert.deepEqual(fake.violations, []);
  });

  it('maps Apple errors: 410/Unregistered and BadDeviceToken gone, 429/500/503 retry, other 4xx rejected', async () => {
    const apns = provider();
    const send = () => apns.send({ platform: 'apns', token: DEVICE }, message);
    fake.fail({ status: 410, reason: 'Unregistered' });
    assert.deepEqual(await send(), { outcome: 'gone', status: 410 });
    fake.fail({ status: 400, reason: 'BadDeviceToken' });
    assert.deepEqual(await send(), { outcome: 'gone', status: 400 });
    fake.fail({ status: 429, reason: 'TooManyRequests' });
    assert.deepEqual(await send(), { outcome: 'retry', error: 'APNs 429 TooManyRequests' });
    fake.fail({ status: 500, reason: 'InternalServerError' });
    assert.deepEqual(await send(), { outcome: 'retry', error: 'APNs 500 InternalServerError' });
    fake.fail({ status: 503, reason: 'ServiceUnavailable', retryAfter: '120' });
    assert.deepEqual(await send(), { outcome: 'retry', error: 'APNs 503 ServiceUnavailable', retryAfterSeconds: 120 });
    fake.fail({ status: 400, reason: 'DeviceTokenNotForTopic' });
    assert.deepEqual(await send(), { outcome: 'rejected', error: 'APNs 400 DeviceTokenNotForTopic' });
    fake.fail({ status: 413, reason: 'PayloadTooLarge' });
    assert.deepEqual(await send(), { outcome: 'rejected', error: 'APNs 413 PayloadTooLarge' });
    // An ExpiredProviderToken right after renewal (a clock that is off) is retried later, not looped.
    fake.fail({ status: 403, reason: 'ExpiredProviderToken', times: 2 });
    assert.deepEqual(await send(), { outcome: 'retry', error: 'APNs 403 ExpiredProviderToken' });
    assert.equal(fake.failuresServed, 9);
    assert.equal(fake.connections, 1);
    assert.deepEqual(fake.violations, []);
  });

  it('the real APNs rules are enforced: a wrong topic, a wrong key and an oversized payload are refused', async () => {
    assert.deepEqual(await provider({ topic: 'com.example.other' }).send(device(1), message), { outcome: 'rejected', error: 'APNs 400 DeviceTokenNotForTopic' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.deepEqual(await provider({ key: stranger }).send(device(1), message), { outcome: 'rejected', error: 'APNs 403 InvalidProviderToken' });
    assert.deepEqual(await provider().send(device(1), { ...message, body: '가'.repeat(1500) }), { outcome: 'rejected', error: 'APNs 413 PayloadTooLarge' });
    assert.deepEqual(fake.violations, [
      '400 DeviceTokenNotForTopic',
      '403 InvalidProviderToken: signature does not verify',
      '413 PayloadTooLarge',
    ]);
    assert.equal(fake.notifications.length, 0);
  });

  it('a push that gets no answer is cancelled after the timeout as a retry; the connection stays usable', async () => {
    const apns = provider({ requestTimeoutMs: 300 });
    fake.stall();
    assert.deepEqual(await apns.send(device(1), message), { outcome: 'retry', error: 'APNs unreachable: no answer within 300 ms' });
    assert.deepEqual(await apns.send(device(2), message), { outcome: 'delivered' });
    assert.equal(fake.connections, 1);
  });

  it('reconnects after GOAWAY and after the connection breaks', async () => {
    const apns = provider();
    assert.equal((await apns.send(device(1), message)).outcome, 'delivered');
    fake.goAway();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await apns.send(device(2), message)).outcome, 'delivered');
    assert.equal(fake.connections, 2);
    await fake.close().catch(() => undefined);
    const down = await apns.send(device(3), message);
    assert.equal(down.outcome, 'retry');
    assert.match((down as { error: string }).error, /^APNs unreachable/);
    fake = await createApnsFake({ now });
  });

  it('speaks cleartext HTTP/2 (h2c) to an http:// endpoint, for app-level tests', async () => {
    const h2c = await createApnsFake({ tls: false, now });
    try {
      const apns = provider({ endpoint: h2c.endpoint, key: h2c.key, ca: undefined });
      assert.deepEqual(await apns.send(device(9), message), { outcome: 'delivered' });
      assert.equal(h2c.notifications.length, 1);
      assert.deepEqual(h2c.violations, []);
      assert.equal((await apns.send({ platform: 'fcm', token: 'x' }, message)).outcome, 'rejected');
    } finally {
      await h2c.close();
    }
  });
});
