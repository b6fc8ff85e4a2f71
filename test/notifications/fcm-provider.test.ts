import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FcmProvider, type FcmServiceAccount } from '../../src/notifications/providers/fcm.js';
import type { PushMessage } from '../../src/notifications/providers/types.js';
import { checkSendBody, createFcmFake, type FcmFake } from '../helpers/push-fakes/fcm.js';

const message: PushMessage = {
  kind: 'new_message',
  title: '지민님의 새 메시지',
  body: '안녕하세요! 오늘 정오에 시간 되세요?',
  data: { type: 'new_message', chat_id: '42', message_id: '1001' },
  collapseKey: 'chat:42',
  ttlSeconds: 3600,
  deliveryId: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
};

function accountOf(fake: FcmFake, overrides: Partial<FcmServiceAccount> = {}): FcmServiceAccount {
  return {
    projectId: fake.serviceAccount.project_id,
    clientEmail: fake.serviceAccount.client_email,
    privateKey: fake.serviceAccount.private_key,
    privateKeyId: fake.serviceAccount.private_key_id,
    tokenUri: fake.serviceAccount.token_uri,
    ...overrides,
  };
}

describe('FCM HTTP v1 provider against the local FCM', () => {
  let fake: FcmFake;
  let clock = Date.now();
  const now = () => clock;
  const providers: FcmProvider[] = [];
  const provider = (overrides: Partial<FcmServiceAccount> = {}, requestTimeoutMs?: number) => {
    const p = new FcmProvider({ serviceAccount: accountOf(fake, overrides), endpoint: fake.endpoint, now, requestTimeoutMs });
    providers.push(p);
    return p;
  };

  before(async () => {
    fake = await createFcmFake({ projectId: 'saju-dating-test', now });
  });
  after(async () => {
    await Promise.all(providers.map((p) => p.close()));
    await fake.close();
  });
  beforeEach(() => {
    clock = Date.now();
    fake.reset();
  });

  it('sends the documented message: token, notification, string data, android ttl/collapse/priority, APNs headers', async () => {
    const fcm = provider();
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'device-token-A' }, message), { outcome: 'delivered' });
    assert.deepEqual(fake.violations, []);
    assert.equal(fake.messages.length, 1);
    const expiration = String(Math.floor(clock / 1000) + 3600);
    assert.deepEqual(fake.messages[0]!.message, {
      token: 'device-token-A',
      notification: { title: '지민님의 새 메시지', body: '안녕하세요! 오늘 정오에 시간 되세요?' },
      data: { type: 'new_message', chat_id: '42', message_id: '1001' },
      android: { collapse_key: 'chat:42', ttl: '3600s', priority: 'high', notification: { sound: 'default', tag: 'chat:42' } },
      apns: {
        headers: { 'apns-expiration': expiration, 'apns-priority': '10', 'apns-collapse-id': 'chat:42' },
        payload: { aps: { sound: 'default', 'thread-id': 'chat:42' } },
      },
      webpush: { headers: { TTL: '3600', Urgency: 'high' } },
    });
    assert.equal(fake.tokenExchanges, 1);
  });

  it('leaves the collapse fields out when the message has no collapse key, and caps the TTL at four weeks', async () => {
    const fcm = provider();
    const { collapseKey: _, ...rest } = message;
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'device-token-B' }, { ...rest, ttlSeconds: 90 * 86400 }), { outcome: 'delivered' });
    const sent = fake.messages[0]!.message;
    assert.deepEqual(sent.android, { ttl: '2419200s', priority: 'high', notification: { sound: 'default' } });
    assert.deepEqual(Object.keys(sent.apns.headers).sort(), ['apns-expiration', 'apns-priority']);
    assert.deepEqual(fake.violations, []);
  });

  it('exchanges the assertion once for many sends, concurrent and sequential', async () => {
    const fcm = provider();
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => fcm.send({ platform: 'fcm', token: `t${i}` }, message)));
    for (let i = 0; i < 5; i += 1) first.push(await fcm.send({ platform: 'fcm', token: `s${i}` }, message));
    assert.ok(first.every((o) => o.outcome === 'delivered'));
    assert.equal(fake.tokenExchanges, 1);
    assert.equal(fake.messages.length, 25);
    assert.equal(new Set(fake.messages.map((m) => m.accessToken)).size, 1);
  });

  it('renews the access token shortly before it expires, not after every send', async () => {
    const fcm = provider();
    await fcm.send({ platform: 'fcm', token: 'a' }, message);
    clock += 50 * 60_000; // 50 of the token's ~60 minutes
    await fcm.send({ platform: 'fcm', token: 'b' }, message);
    assert.equal(fake.tokenExchanges, 1);
    clock += 6 * 60_000; // within five minutes of expiry
    await fcm.send({ platform: 'fcm', token: 'c' }, message);
    assert.equal(fake.tokenExchanges, 2);
    assert.notEqual(fake.messages[1]!.accessToken, fake.messages[2]!.accessToken);
  });

  it('on 401 gets a new access token once and retries', async () => {
    const fcm = provider();
    await fcm.send({ platform: 'fcm', token: 'a' }, message);
    fake.revokeAccessTokens();
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'b' }, message), { outcome: 'delivered' });
    assert.equal(fake.tokenExchanges, 2);
    assert.equal(fake.messages.length, 2);
    // Concurrent sends that all meet the revoked token share one new exchange.
    fake.revokeAccessTokens();
    const outcomes = await Promise.all(['c', 'd', 'e', 'f'].map((t) => fcm.send({ platform: 'fcm', token: t }, message)));
    assert.ok(outcomes.every((o) => o.outcome === 'delivered'));
    assert.equal(fake.tokenExchanges, 3);
  });

  it('a 401 that survives the new token is rejected after exactly one retry', async () => {
    const fcm = provider();
    fake.fail({ status: 401, times: 5 });
    const outcome = await fcm.send({ platform: 'fcm', token: 'a' }, message);
    assert.equal(outcome.outcome, 'rejected');
    assert.equal(fake.failuresServed, 2);
    assert.equal(fake.tokenExchanges, 2);
  });

  it('maps FCM errors: 404 UNREGISTERED gone, 400 rejected, 429/500/503 retry with Retry-After', async () => {
    const fcm = provider();
    const send = () => fcm.send({ platform: 'fcm', token: 'x' }, message);
    fake.fail({ status: 404 });
    assert.deepEqual(await send(), { outcome: 'gone', status: 404 });
    fake.fail({ status: 400 });
    const invalid = await send();
    assert.equal(invalid.outcome, 'rejected');
    assert.match((invalid as { error: string }).error, /^FCM 400 INVALID_ARGUMENT/);
    fake.fail({ status: 429, retryAfter: '7' });
    const quota = await send();
    assert.deepEqual(quota, { outcome: 'retry', error: 'FCM 429 QUOTA_EXCEEDED: Quota exceeded.', retryAfterSeconds: 7 });
    fake.fail({ status: 500 });
    assert.deepEqual(await send(), { outcome: 'retry', error: 'FCM 500 INTERNAL: Internal error encountered.' });
    fake.fail({ status: 503, retryAfter: new Date(clock + 30_000).toUTCString() });
    const unavailable = await send();
    assert.equal(unavailable.outcome, 'retry');
    const wait = (unavailable as { retryAfterSeconds?: number }).retryAfterSeconds ?? -1;
    assert.ok(wait >= 29 && wait <= 30, `retryAfterSeconds ${wait}`);
    fake.fail({ status: 403 });
    const mismatch = await send();
    assert.equal(mismatch.outcome, 'rejected');
    assert.match((mismatch as { error: string }).error, /SENDER_ID_MISMATCH/);
    // An error for one device does not touch another.
    fake.fail({ status: 404, token: 'gone-device' });
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'live-device' }, message), { outcome: 'delivered' });
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'gone-device' }, message), { outcome: 'gone', status: 404 });
    assert.equal(fake.tokenExchanges, 1);
    assert.deepEqual(fake.violations, []);
  });

  it('THIRD_PARTY_AUTH_ERROR (a 401 about the APNs credentials in Firebase) is rejected without a new token', async () => {
    const fcm = provider();
    fake.fail({ status: 401, errorCode: 'THIRD_PARTY_AUTH_ERROR' });
    const outcome = await fcm.send({ platform: 'fcm', token: 'ios-via-fcm' }, message);
    assert.equal(outcome.outcome, 'rejected');
    assert.match((outcome as { error: string }).error, /^FCM 401 THIRD_PARTY_AUTH_ERROR/);
    assert.equal(fake.tokenExchanges, 1);
    assert.equal(fake.failuresServed, 1);
  });

  it('a send that gets no answer times out as a retry, and the next one goes through', async () => {
    const fcm = provider({}, 300);
    fake.stall();
    const outcome = await fcm.send({ platform: 'fcm', token: 'slow' }, message);
    assert.equal(outcome.outcome, 'retry');
    assert.match((outcome as { error: string }).error, /^FCM unreachable: no answer within 300 ms$/);
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'slow' }, message), { outcome: 'delivered' });
  });

  it('token endpoint failures: 5xx is retried later, a refused key is rejected, and the next send exchanges again', async () => {
    const fcm = provider();
    fake.failTokenExchange({ status: 503 });
    const down = await fcm.send({ platform: 'fcm', token: 'a' }, message);
    assert.equal(down.outcome, 'retry');
    assert.match((down as { error: string }).error, /token exchange answered 503/);
    assert.deepEqual(await fcm.send({ platform: 'fcm', token: 'a' }, message), { outcome: 'delivered' });
    assert.equal(fake.tokenExchanges, 1);

    const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrongKey = provider({ privateKey: forged });
    const refused = await wrongKey.send({ platform: 'fcm', token: 'a' }, message);
    assert.equal(refused.outcome, 'rejected');
    assert.match((refused as { error: string }).error, /400: invalid_grant: assertion: signature does not verify/);
    assert.deepEqual(fake.violations, ['token exchange: assertion: signature does not verify']);
  });

  it('an unreachable endpoint or token_uri is a retry, a target of another platform a rejection', async () => {
    const closed = await createFcmFake();
    const account = accountOf(closed);
    await closed.close();
    const fcm = new FcmProvider({ serviceAccount: account, endpoint: closed.endpoint, requestTimeoutMs: 2000 });
    const outcome = await fcm.send({ platform: 'fcm', token: 'a' }, message);
    assert.equal(outcome.outcome, 'retry');
    assert.match((outcome as { error: string }).error, /token exchange failed/);
    const sendOnly = new FcmProvider({ serviceAccount: accountOf(fake), endpoint: closed.endpoint, now });
    const unreachable = await sendOnly.send({ platform: 'fcm', token: 'a' }, message);
    assert.equal(unreachable.outcome, 'retry');
    assert.match((unreachable as { error: string }).error, /^FCM unreachable/);
    assert.equal((await provider().send({ platform: 'apns', token: 'a' }, message)).outcome, 'rejected');
  });
});

describe('the local FCM refuses what FCM refuses', () => {
  it('finds non-string data, reserved keys, a bad TTL, unknown fields and two targets', () => {
    assert.deepEqual(checkSendBody({ message: { token: 't', data: { a: 'b' }, android: { ttl: '60s', priority: 'high' } } }), []);
    assert.deepEqual(checkSendBody({ message: { token: 't', topic: 'x', data: { n: 1, from: 'me' }, android: { ttl: 60, priority: 'urgent' }, extra: true } }), [
      'message has unknown field extra',
      'message needs exactly one of token/topic/condition, has token,topic',
      'message.data.n is not a string (FCM data values are strings)',
      'message.data uses the reserved key from',
      'message.android.priority urgent is not normal or high',
      'message.android.ttl 60 is not a Duration such as "3600s"',
    ]);
    assert.deepEqual(checkSendBody({ message: { token: 't', apns: { headers: { 'apns-expiration': 12, 'apns-collapse-id': 'x'.repeat(65) } } } }), [
      'message.apns.headers.apns-expiration is not a string',
      'message.apns.headers.apns-collapse-id is over 64 bytes',
    ]);
    assert.deepEqual(checkSendBody({ message: { token: 't', data: { big: 'x'.repeat(5000) } } }), ['message payload is 5037 bytes, over 4096']);
  });
});
