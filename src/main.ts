import { Redis } from 'ioredis';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './lib/rate-limit.js';

// Composition root: config → database (+ migrations) → Redis → app → listen → shutdown handlers.
let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrateToLatest(database.db);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await database.close();
  process.exit(1);
}

const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
redis?.on('error', () => {}); // reconnects on its own; /readyz reports it meanwhile
const limiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
const app = await buildApp({ config, database, limiter, redis });
const log = app.fastify.log;

await app.fastify.listen({ port: config.port, host: config.host });
log.info({ database: database.kind, redis: Boolean(redis) }, 'server ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Whatever hangs, the process ends by the deadline.
  const force = setTimeout(() => {
    log.error('shutdown deadline passed, exiting');
    process.exit(1);
  }, config!.shutdownTimeoutMs);
  force.unref();
  try {
    await app.fastify.close(); // stops accepting, drains in-flight requests and sockets
    await limiter.close();
    await redis?.quit();
    await database.close();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
