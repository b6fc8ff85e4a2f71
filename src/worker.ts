import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { commandLine } from './lib/cli.js';
import { createLogger } from './lib/logger.js';
import { configuredProviders } from './notifications/providers/index.js';
import { DailyPicks } from './notifications/daily-picks.js';
import { PushService } from './notifications/push-service.js';
import { installRedisAdapter } from './realtime/redis-adapter.js';
import { DEFAULT_REALTIME_OPTIONS } from './realtime/realtime.server.js';
import { userRoom, type IoServer } from './realtime/socket-events.js';

// `npm run worker`: push workers as a process of their own, for deployments that run the API with
// PUSH_WORKERS_IN_PROCESS=false (any number of these share the queue; none sends a job twice).
// Same environment as the server. It needs PostgreSQL (the embedded database lives inside the API
// process) and Redis (to ask the API processes whether a message's recipient is connected).
const args = commandLine({
  command: 'npm run worker --',
  options: { concurrency: { type: 'integer', min: 1, max: 100, help: 'pushes sent at once (default: PUSH_WORKER_CONCURRENCY)' } },
});

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
if (!config.databaseUrl || !config.redisUrl) {
  console.error('npm run worker needs DATABASE_URL and REDIS_URL (with the embedded database, workers run inside the API process)');
  process.exit(1);
}

const log = createLogger(config.logLevel);
const database = await openDatabase({ url: config.databaseUrl, poolSize: 4, statementTimeoutMs: config.databaseStatementTimeoutMs });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
redis.on('error', () => {});
// A Socket.IO server with no HTTP server: it joins the API processes' adapter only to ask them
// which sockets they hold (fetchSockets answers from every process).
const io: IoServer = new Server();
const adapter = await installRedisAdapter(io, redis, DEFAULT_REALTIME_OPTIONS, log);
const push = await PushService.start({
  database,
  providers: configuredProviders(config),
  isOnline: async (userId) => (await io.in(userRoom(userId)).fetchSockets()).length > 0,
  log,
  work: true,
  dailyPicks: new DailyPicks(database.db, config.push.dailyPicksHour),
  concurrency: args.values.concurrency ?? config.push.workerConcurrency,
});
log.info({ concurrency: args.values.concurrency ?? config.push.workerConcurrency }, 'push worker ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'push worker stopping');
  const force = setTimeout(() => process.exit(1), config!.shutdownTimeoutMs);
  force.unref();
  await push.stop();
  // No io.close(): this Server has no HTTP server (and no engine) to close; closing the adapter
  // leaves the Redis channels.
  await adapter.close();
  await redis.quit();
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
