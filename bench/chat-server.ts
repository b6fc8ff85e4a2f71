import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { MemoryRateLimiter } from '../src/lib/rate-limit.js';
import type { AdapterKind } from '../src/realtime/redis-adapter.js';

// The real app (buildApp, as src/main.ts builds it) for `npm run bench -- chat`, with the
// per-socket send limit lifted so that the load generator measures the server, not the limiter.
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, poolSize: 10 });
const redis = config.redisUrl ? new Redis(config.redisUrl) : null;
const app = await buildApp({
  config,
  database,
  limiter: new MemoryRateLimiter(),
  redis,
  logger: false,
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
  await redis?.quit();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
