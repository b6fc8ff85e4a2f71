import { Redis } from 'ioredis';
import { buildApp, userSendLimit } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { LeasedRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../src/lib/rate-limit.js';
import { DEFAULT_REALTIME_OPTIONS } from '../src/realtime/realtime.server.js';
import type { AdapterKind } from '../src/realtime/redis-adapter.js';

// The real app for `npm run bench -- chat`, composed as src/main.ts composes it (its logger on
// stdout at LOG_LEVEL, with REDIS_URL the Redis adapter, the shared rate limits in Redis and the
// leased per-user send limit), with one difference: the per-socket send limit is lifted, and with
// it the per-user one (still counted in Redis for every message), so that the load generator
// measures the server, not the limiter. The leased limiter still reserves the deployed default's
// lease (12 hits for 600 per 10 s), not the larger one the lifted limit would give, so that it makes
// as many Redis reservations per message as a deployment does.
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize });
const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
redis?.on('error', () => {});
const limiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
const sendLimiter: RateLimiter =
  redis && process.env.BENCH_EXACT_SEND_LIMIT !== '1'
    ? new LeasedRateLimiter(
        redis,
        undefined,
        undefined,
        undefined,
        LeasedRateLimiter.leaseSize(userSendLimit(DEFAULT_REALTIME_OPTIONS.sendBurst, DEFAULT_REALTIME_OPTIONS.sendPerSecond)),
      )
    : limiter;
const app = await buildApp({
  config,
  database,
  limiter,
  sendLimiter,
  redis,
  realtime: {
    sendBurst: 1e9,
    sendPerSecond: 1e9,
    adapter: (process.env.BENCH_ADAPTER as AdapterKind | undefined) ?? 'pubsub',
    adapterKey: process.env.BENCH_ADAPTER_KEY ?? 'bench',
    transports: ['websocket'],
  },
});
await app.fastify.listen({ port: config.port, host: '127.0.0.1' });
console.log('LISTENING');
const stop = async () => {
  await app.fastify.close();
  await limiter.close();
  if (sendLimiter !== limiter) await sendLimiter.close();
  await redis?.quit();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
