import cluster from 'node:cluster';
import { Redis } from 'ioredis';
import { buildApp } from './app.js';
import { runPrimary } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateDatabase } from './db/migrate.js';
import { installSafetyNet } from './lib/process-safety.js';
import { LeasedRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './lib/rate-limit.js';
import { DEFAULT_WEB_ROOT, webClientBuilt } from './web/web-client.plugin.js';

// Composition root: config → database (+ migrations) → Redis → app → listen → shutdown handlers.
// With WEB_CONCURRENCY > 1 this file is both the cluster primary (migrates, forks) and each worker.

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const clustered = config.webConcurrency > 1;
const database = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  poolSize: config.databasePoolSize,
  statementTimeoutMs: config.databaseStatementTimeoutMs,
});
if (!clustered || cluster.isPrimary) {
  try {
    await migrateDatabase(database, config.databaseUrl);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await database.close();
    process.exit(1);
  }
}
if (clustered && cluster.isPrimary) {
  await database.close();
  runPrimary(config, (msg) => console.log(JSON.stringify({ level: 30, time: Date.now(), msg })));
} else {
  await serve(config, database);
}

async function serve(config: Config, database: DatabaseHandle): Promise<void> {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
  redis?.on('error', () => {}); // reconnects on its own; /readyz reports it meanwhile
  const limiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  // Chat messages: the same shared per-user limit, taken from Redis in leases (no round trip per message).
  const sendLimiter: RateLimiter = redis ? new LeasedRateLimiter(redis) : limiter;
  // Several processes on one port: an Engine.IO long-polling session could land on another
  // worker, so clustered workers speak WebSocket only (docs/operations.md, "Running at scale").
  const realtime = clustered ? { transports: ['websocket' as const] } : undefined;
  const app = await buildApp({ config, database, limiter, sendLimiter, redis, realtime, webRoot: DEFAULT_WEB_ROOT, push: { background: true } });
  const log = app.fastify.log;
  if (!webClientBuilt(DEFAULT_WEB_ROOT)) log.warn('web client not built (npm run build:web): / answers 404');

  await app.fastify.listen({ port: config.port, host: config.host });
  log.info({ database: database.kind, redis: Boolean(redis), worker: cluster.isWorker }, 'server ready');

  let stopping = false;
  const shutdown = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: reason }, 'shutting down');
    // Whatever hangs, the process ends by the deadline.
    const force = setTimeout(() => {
      log.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.fastify.close(); // stops accepting, drains in-flight requests, closes sockets
      await limiter.close();
      if (sendLimiter !== limiter) await sendLimiter.close();
      await redis?.quit();
      await database.close();
      process.exit(exitCode);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(exitCode || 1);
    }
  };
  // The last line of defence (docs/operations.md, "Crashes and restarts"): an uncaught exception drains and
  // exits non-zero; the cluster primary or the supervisor starts a fresh process.
  installSafetyNet({ log, shutdown, context: { pid: process.pid, worker: cluster.isWorker } });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
