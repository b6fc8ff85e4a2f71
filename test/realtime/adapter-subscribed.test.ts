import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { installRedisAdapter } from '../../src/realtime/redis-adapter.js';
import type { IoServer } from '../../src/realtime/socket-events.js';
import { REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';

const skip = await skipUnlessServices('test/realtime/adapter-subscribed.test.ts', 'redis');

/** Redis channels with at least one subscriber whose name starts with `prefix`. */
async function subscribedChannels(redis: Redis, prefix: string): Promise<string[]> {
  return ((await redis.pubsub('CHANNELS', `${prefix}*`)) as string[]).sort();
}

// A restarted API process must hear the others' fan-out before it takes sockets: realtime.server.ts
// waits for `subscribed()` in an onReady hook, so Fastify listens only after it.
describe('the Redis adapter says when its subscriptions are active', { skip }, () => {
  it('logs no warning for the CLIENT SETINFO that ioredis sends on connecting (refused by Redis before 7.2)', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const redis = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
    const io: IoServer = new Server();
    const adapter = await installRedisAdapter(io, redis, { adapter: 'pubsub', adapterKey: `sio-info-${randomUUID()}` }, log);
    try {
      await adapter.subscribed(); // a PING answered after the connection's handshake commands
      await new Promise((resolve) => setTimeout(resolve, 50));
      // On Redis 7.2 and later SETINFO succeeds and there is nothing to see; CI's Redis is 7.0.
      assert.deepEqual(warnings.filter((w) => w.includes('SETINFO')), []);
    } finally {
      await io.of('/').adapter.close();
      await adapter.close();
      await redis.quit();
    }
  });

  for (const kind of ['pubsub'] as const) {
    it(`${kind}: subscribed() resolves only once the adapter's channels have their subscriber`, async () => {
      const key = `sio-sub-${randomUUID()}`;
      const redis = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
      const observer = new Redis(REDIS_TEST_URL);
      const io: IoServer = new Server();
      const adapter = await installRedisAdapter(io, redis, { adapter: kind, adapterKey: key }, pino({ level: 'silent' }));
      try {
        await adapter.subscribed();
        const channels = await subscribedChannels(observer, key);
        // The request channel (serverSideEmit, fetchSockets…) and this process's response channels.
        assert.ok(channels.includes(`${key}-request#/#`), channels.join(', '));
        assert.ok(channels.some((c) => c.startsWith(`${key}-response#/#`)), channels.join(', '));
      } finally {
        await io.of('/').adapter.close();
        await adapter.close();
        await redis.quit();
        await observer.quit();
      }
    });
  }
});
