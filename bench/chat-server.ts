import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { LeasedRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../src/lib/rate-limit.js';
import type { AdapterKind } from '../src/realtime/redis-adapter.js';

// The real app for `npm run bench -- chat`, composed as src/main.ts composes it (its logger on
// stdout at LOG_LEVEL, with REDIS_URL the Redis adapter, the shared rate limits in Redis and the
// leased per-user send limit), with one difference: the per-socket send limit is lifted, and with
// it the per-user one (still counted in Redis for every message), so that the load generator
// measures the server, not the limiter.
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize });
const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
redis?.on('error', () => {});
const limiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
const sendLimiter: RateLimiter =
  redis && process.env.BENCH_EXACT_SEND_LIMIT !== '1' ? new LeasedRateLimiter(redis) : limiter;
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
