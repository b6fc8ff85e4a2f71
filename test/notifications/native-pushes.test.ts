import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { createApnsFake, type ApnsFake } from '../helpers/push-fakes/apns.js';
import { createFcmFake, type FcmFake } from '../helpers/push-fakes/fcm.js';
import { eventually } from '../helpers/socket.js';

/**
 * FCM and APNs through the whole app: the settings a deployment sets (FCM_SERVICE_ACCOUNT_JSON,
 * FCM_ENDPOINT, APNS_KEY, APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC, APNS_ENDPOINT) point the real
 * providers at the local fakes, which check every header and body field; devices registered over
 * the API get the pushes their events cause, and a device the provider calls gone is removed.
 */
let t: TestApp;
let api: Client;
let fcm: FcmFake;
let apns: ApnsFake;
let serial = 0;

before(async () => {
  fcm = await createFcmFake();
  apns = await createApnsFake({ tls: false });
  t = await startTestApp(
    {
      FCM_SERVICE_ACCOUNT_JSON: fcm.serviceAccountJson,
      FCM_ENDPOINT: fcm.endpoint,
      APNS_KEY: apns.key,
      APNS_KEY_ID: apns.keyId,
      APNS_TEAM_ID: apns.teamId,
      APNS_TOPIC: apns.topic,
      APNS_ENDPOINT: apns.endpoint,
    },
    { push: { pollingIntervalSeconds: 0.5, retry: { baseSeconds: 1, maxDelaySeconds: 2, attempts: 3 } } },
  );
  api = client(t.baseUrl);
});
after(async () => {
  await t.close();
  await fcm.close();
  await apns.close();
});
beforeEach(() => {
  assert.deepEqual(fcm.violations, []);
  assert.deepEqual(apns.violations, []);
});

async function register(user: TestUser, platform: 'fcm' | 'apns'): Promise<{ token: string; deviceId: number }> {
  serial += 1;
  const token = platform === 'apns' ? serial.toString(16).padStart(64, 'a') : `fcm-registration-token-${serial}-${'x'.repeat(120)}`;
  const res = await api.post('/api/devices', { token: user.accessToken, body: { platform, token } });
  assert.equal(res.status, 201, res.text);
  return { token, deviceId: res.body.device_id as number };
}

async function devicesOf(user: TestUser): Promise<number[]> {
  const res = await api.get('/api/devices', { token: user.accessToken });
  assert.equal(res.status, 200, res.text);
  return (res.body as { device_id: number }[]).map((d) => d.device_id);
}

describe('FCM and APNs through the app', () => {
  it('a request reaches the receiver on APNs, the answer reaches the requester on FCM, with Korean text and string data', async () => {
    const he = await createUser(api, { gender: 'male', name: '박준호' });
    const she = await createUser(api, { gender: 'female', name: '최수진' });
    const android = await register(he, 'fcm');
    const iphone = await register(she, 'apns');

    const req = await api.post('/api/matches/request', { token: he.accessToken, body: { receiver_id: she.id } });
    assert.equal(req.status, 201, req.text);
    const matchId = req.body.match_id as number;
    await eventually(() => assert.equal(apns.notifications.filter((n) => n.token === iphone.token).length, 1));
    const onIphone = apns.notifications.find((n) => n.token === iphone.token)!;
    assert.deepEqual(onIphone.payload.aps.alert, { title: '새 대화 요청', body: '박준호님이 대화를 신청했어요.' });
    assert.equal(onIphone.payload.type, 'match_requested');
    assert.equal(onIphone.payload.match_id, String(matchId));
    assert.equal(onIphone.headers['apns-topic'], apns.topic);
    assert.equal(onIphone.headers['apns-push-type'], 'alert');

    const acc = await api.post(`/api/matches/${matchId}/accept`, { token: she.accessToken });
    assert.equal(acc.status, 200, acc.text);
    const chatId = acc.body.chat_id as number;
    await eventually(() => assert.equal(fcm.messages.filter((m) => m.token === android.token).length, 1));
    const onAndroid = fcm.messages.find((m) => m.token === android.token)!;
    assert.deepEqual(onAndroid.message.notification, { title: '대화 요청이 수락됐어요', body: '최수진님과 대화를 시작해 보세요.' });
    assert.deepEqual(onAndroid.message.data, { type: 'match_accepted', match_id: String(matchId), chat_id: String(chatId) });
    assert.equal(fcm.tokenExchanges, 1, 'one OAuth exchange, cached');
    assert.equal(apns.notifications.filter((n) => n.token === iphone.token).length, 1, 'nothing more to her');
  });

  it('a device FCM calls UNREGISTERED (404) or APNs calls Unregistered (410) is removed', async () => {
    const he = await createUser(api, { gender: 'male', name: '정민수' });
    const she = await createUser(api, { gender: 'female', name: '한지민' });
    const android = await register(she, 'fcm');
    const iphone = await register(she, 'apns');
    assert.deepEqual((await devicesOf(she)).sort(), [android.deviceId, iphone.deviceId].sort());
    fcm.fail({ status: 404, token: android.token });
    apns.fail({ status: 410, reason: 'Unregistered', token: iphone.token });

    const req = await api.post('/api/matches/request', { token: he.accessToken, body: { receiver_id: she.id } });
    assert.equal(req.status, 201, req.text);
    const deadline = Date.now() + 10_000;
    let left = await devicesOf(she);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      left = await devicesOf(she);
    }
    assert.deepEqual(left, [], 'both devices removed');
    assert.equal(fcm.failuresServed >= 1 && apns.failuresServed >= 1, true);
    assert.equal(fcm.messages.filter((m) => m.token === android.token).length, 0);
    assert.equal(apns.notifications.filter((n) => n.token === iphone.token).length, 0);
  });
});
