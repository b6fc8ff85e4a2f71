import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { MemoryRateLimiter } from '../../src/lib/rate-limit.js';
import { matchedPair } from '../helpers/chat-factory.js';
import { client } from '../helpers/client.js';
import { freshDatabase } from '../helpers/database.js';
import { closeSockets, connect, nextEvent, request } from '../helpers/socket.js';
import type { TestApp } from '../helpers/app.js';

/**
 * Redis unreachable (here: nothing listens on its port): the adapter's publishes fail after
 * ioredis's retries. The process must live on and serve its own sockets.
 */
let app: App;
let redis: Redis;
let t: TestApp;
before(async () => {
  const database = await freshDatabase();
  redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: false });
  redis.on('error', () => {});
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'redis-outage-test-secret-0123456789-abcdef', LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_IP: '1000' });
  const limiter = new MemoryRateLimiter();
  app = await buildApp({ config, database, limiter, redis, logger: false });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.fastify.server.address() as AddressInfo;
  t = {
    app,
    config,
    database,
    baseUrl: `http://127.0.0.1:${port}`,
    clock: { now: new Date() },
    async close() {
      await app.fastify.close();
      await limiter.close();
      redis.disconnect();
      await database.close();
    },
  };
});
afterEach(closeSockets);
after(async () => t.close());

it('keeps serving its own sockets while Redis is down, without crashing on failed publishes', async () => {
  const api = client(t.baseUrl);
  const p = await matchedPair(t, api);
  const a = await connect(t.baseUrl, p.a.accessToken);
  const b = await connect(t.baseUrl, p.b.accessToken);
  for (let i = 0; i < 3; i++) {
    const got = nextEvent(b, 'newMessage');
    const ack = await request(a, 'sendMessage', { chat_id: p.chatId, content: `during the outage ${i}` });
    assert.equal(ack.ok, true);
    assert.deepEqual(await got, ack.message);
  }
  // Long enough for ioredis to give up on the queued publishes (and reject them).
  await new Promise((r) => setTimeout(r, 1500));
  const ready = await api.get('/readyz');
  assert.equal(ready.status, 503, 'readiness reports Redis down');
  const res = await api.post(`/api/chats/${p.chatId}/messages`, { token: p.b.accessToken, body: { content: 'still here' } });
  assert.equal(res.status, 201);
  assert.ok(a.connected && b.connected);
});
