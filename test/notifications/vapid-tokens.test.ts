import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import webpush from 'web-push';
import { VapidTokens } from '../../src/notifications/providers/vapid-tokens.js';
import { WebPushProvider } from '../../src/notifications/providers/web-push.js';
import type { PushMessage } from '../../src/notifications/providers/types.js';
import { createWebPushFake, type WebPushFake } from '../helpers/push-fakes/web-push.js';

const keys = webpush.generateVAPIDKeys();
const vapid = { subject: 'mailto:ops@saju-dating.example', publicKey: keys.publicKey, privateKey: keys.privateKey };
const HOUR = 3600_000;

/** The JWT's claims out of `vapid t=<JWT>, k=<key>`. */
function claims(authorization: string): { aud: string; exp: number; sub: string } {
  const jwt = /^vapid t=([^,]+), k=/.exec(authorization)![1]!;
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('VAPID tokens: one per push service, reused for most of their lifetime', () => {
  it('reuses the token for an origin until an hour before its 12-hour expiry, then signs a new one', () => {
    const start = Date.now();
    let now = start;
    const tokens = new VapidTokens(vapid, () => now);
    const first = tokens.authorization('https://fcm.googleapis.com/fcm/send/abc');
    const startSeconds = Math.floor(start / 1000);
    assert.deepEqual(claims(first), { aud: 'https://fcm.googleapis.com', exp: startSeconds + 12 * 3600, sub: vapid.subject });
    assert.ok(first.endsWith(`, k=${vapid.publicKey}`));

    now = start + 10 * HOUR;
    assert.equal(tokens.authorization('https://fcm.googleapis.com/fcm/send/other-subscription'), first);

    const mozilla = tokens.authorization('https://updates.push.services.mozilla.com/wpush/v2/xyz');
    assert.equal(claims(mozilla).aud, 'https://updates.push.services.mozilla.com');
    assert.equal(claims(mozilla).exp, Math.floor(now / 1000) + 12 * 3600);

    now = start + 11 * HOUR + 1000; // less than an hour before the first token expires
    const renewed = tokens.authorization('https://fcm.googleapis.com/fcm/send/abc');
    assert.notEqual(renewed, first);
    assert.equal(claims(renewed).exp, Math.floor(now / 1000) + 12 * 3600);
    assert.equal(tokens.authorization('https://fcm.googleapis.com/fcm/send/abc'), renewed);
  });

  describe('through the provider, against the local Web Push service', () => {
    let fake: WebPushFake;
    before(async () => {
      fake = await createWebPushFake({ tls: false });
    });
    after(() => fake.close());

    it('sends two pushes with one token, and the service accepts both', async () => {
      const provider = new WebPushProvider({ vapid, allowInsecureEndpoints: true });
      try {
        const message: PushMessage = { kind: 'new_message', title: '새 메시지', body: '안녕하세요', data: { type: 'new_message' }, ttlSeconds: 60, deliveryId: 'd' };
        for (const deliveryId of ['d1', 'd2']) {
          const subscription = fake.createSubscription({ applicationServerKey: vapid.publicKey });
          assert.deepEqual(await provider.send({ platform: 'web', endpoint: subscription.endpoint, keys: subscription.keys }, { ...message, deliveryId }), { outcome: 'delivered' });
        }
        assert.equal(fake.received.length, 2);
        assert.deepEqual(fake.violations, []);
        assert.equal(fake.received[0]!.vapid.aud, fake.origin);
        assert.equal(fake.received[1]!.vapid.exp, fake.received[0]!.vapid.exp);
      } finally {
        await provider.close();
      }
    });
  });
});
