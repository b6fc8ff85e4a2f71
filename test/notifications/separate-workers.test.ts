import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PushService } from '../../src/notifications/push-service.js';
import { WebPushProvider } from '../../src/notifications/providers/web-push.js';
import { startTestApp, TEST_VAPID, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { createWebPushFake, type WebPushFake } from '../helpers/push-fakes/web-push.js';
import { eventually } from '../helpers/socket.js';

/**
 * PUSH_WORKERS_IN_PROCESS=false: the API process writes and relays the outbox but sends nothing;
 * a worker started apart (as `npm run worker` starts it) sends what the API queued.
 */
let t: TestApp;
let api: Client;
let fake: WebPushFake;
let worker: PushService | null = null;

before(async () => {
  fake = await createWebPushFake({ tls: false });
  t = await startTestApp({ PUSH_ALLOW_INSECURE_ENDPOINTS: 'true', PUSH_WORKERS_IN_PROCESS: 'false' }, { push: { pollingIntervalSeconds: 0.5 } });
  api = client(t.baseUrl);
});
after(async () => {
  await worker?.stop();
  await t.close();
  await fake.close();
});

describe('push workers in a process of their own', () => {
  it('the API only queues; the separate worker sends', async () => {
    const a = await createUser(api, { gender: 'male', name: '분리' });
    const b = await createUser(api, { gender: 'female' });
    const subscription = fake.createSubscription({ applicationServerKey: TEST_VAPID.VAPID_PUBLIC_KEY });
    assert.equal((await api.post('/api/devices', { token: b.accessToken, body: { platform: 'web', subscription } })).status, 201);
    const req = await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    assert.equal(req.status, 201);
    await t.app.push!.relayed();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(fake.received.length, 0, 'the API process sent a push with its workers off');
    assert.equal(t.app.push!.counters.delivered, 0);

    worker = await PushService.start({
      database: t.database,
      providers: [new WebPushProvider({ vapid: t.config.push.vapid, allowInsecureEndpoints: true })],
      isOnline: async () => false,
      log: t.app.fastify.log,
      work: true,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
    });
    await eventually(() => assert.equal(fake.received.length, 1));
    assert.deepEqual(fake.received[0]!.json(), {
      title: '새 대화 요청',
      body: '분리님이 대화를 신청했어요.',
      data: { type: 'match_requested', match_id: String(req.body.match_id) },
    });
    const w = worker;
    await eventually(() => assert.equal(w.counters.delivered, 1));
  });
});
