import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { insertChat } from '../helpers/chat-factory.js';
import { client } from '../helpers/client.js';
import { startApiNode, type ApiNode as Node } from '../helpers/api-node.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { createWebPushFake, type WebPushFake } from '../helpers/push-fakes/web-push.js';
import { POSTGRES_URL, skipUnlessServices } from '../helpers/services.js';
import { closeSockets, connect, eventually } from '../helpers/socket.js';
import { TEST_VAPID } from '../helpers/vapid.js';

/**
 * Two API processes (each its own pool, Redis connections, Socket.IO server and push workers) on
 * one PostgreSQL and one Redis: `new_message` goes only to a recipient with no socket on EITHER
 * process, and the two sets of workers share one queue without sending any (notification,
 * device) pair twice.
 */
const skip = await skipUnlessServices('test/notifications/two-processes.test.ts', 'postgres', 'redis');
const ENV = {
  NODE_ENV: 'test',
  JWT_SECRET: 'two-process-push-secret-0123456789-0123456789',
  LOG_LEVEL: 'silent',
  AUTH_RATE_LIMIT_PER_IP: '100000',
  AUTH_RATE_LIMIT_PER_EMAIL: '100000',
  PUSH_ALLOW_INSECURE_ENDPOINTS: 'true',
  ...TEST_VAPID,
};
const startNode = (dbUrl: string, adapterKey: string) =>
  startApiNode(dbUrl, { env: ENV, realtime: { adapterKey }, push: { pollingIntervalSeconds: 0.5 } });

describe('pushes with two API processes', { skip }, () => {
  let db: TestDatabase;
  let one: Node;
  let two: Node;
  let fake: WebPushFake;
  before(async () => {
    fake = await createWebPushFake({ tls: false });
    db = await freshPostgresDatabase(POSTGRES_URL);
    const key = `push-test-${randomBytes(6).toString('hex')}`;
    one = await startNode(db.url!, key);
    two = await startNode(db.url!, key);
    await new Promise((r) => setTimeout(r, 300));
  });
  after(async () => {
    await closeSockets();
    await one?.close();
    await two?.close();
    await db?.close();
    await fake?.close();
  });

  async function webDevice(user: TestUser) {
    const subscription = fake.createSubscription({ applicationServerKey: TEST_VAPID.VAPID_PUBLIC_KEY });
    const res = await client(one.url).post('/api/devices', { token: user.accessToken, body: { platform: 'web', subscription } });
    assert.equal(res.status, 201, res.text);
    return subscription.endpoint;
  }
  const pushesTo = (endpoint: string) => fake.received.filter((p) => p.endpoint === endpoint);

  it('new_message only when the recipient has no socket on either process', async () => {
    const api = client(one.url);
    const a = await createUser(api, { gender: 'male', name: '둘째' });
    const b = await createUser(api, { gender: 'female' });
    const { chatId } = await insertChat(db.db, a.id, b.id);
    const endpoint = await webDevice(b);
    // b is connected to process one; a writes through process two.
    const socket = await connect(one.url, b.accessToken);
    const online = await client(two.url).post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '거기 있어요?' } });
    assert.equal(online.status, 201);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(pushesTo(endpoint).length, 0, 'pushed to someone connected on the other process');
    socket.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    const offline = await client(two.url).post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '나중에 봐요' } });
    await eventually(() => assert.equal(pushesTo(endpoint).length, 1));
    assert.deepEqual(pushesTo(endpoint)[0]!.json(), {
      title: '둘째',
      body: '나중에 봐요',
      data: { type: 'new_message', chat_id: String(chatId), message_id: String(offline.body.message_id) },
    });
  });

  it('both processes queue and send; every (notification, device) pair arrives exactly once', async () => {
    const b = await createUser(client(one.url), { gender: 'female' });
    const endpoints = [await webDevice(b), await webDevice(b)];
    const requesters = await Promise.all(Array.from({ length: 16 }, (_, i) => createUser(client(i % 2 ? two.url : one.url), { gender: 'male' })));
    const matchIds = await Promise.all(
      requesters.map(async (r, i) => {
        const res = await client(i % 2 ? two.url : one.url).post('/api/matches/request', { token: r.accessToken, body: { receiver_id: b.id } });
        assert.equal(res.status, 201, res.text);
        return String(res.body.match_id);
      }),
    );
    await eventually(() => {
      for (const e of endpoints) assert.equal(pushesTo(e).length, 16);
    }, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    for (const e of endpoints) {
      const got = pushesTo(e).map((p) => (p.json() as { data: { match_id: string } }).data.match_id).sort();
      assert.deepEqual(got, [...matchIds].sort(), 'each request pushed once to this device');
    }
    const delivered = one.app.push!.counters.delivered + two.app.push!.counters.delivered;
    assert.ok(delivered >= 32);
    assert.deepEqual(fake.violations, []);
  });
});
