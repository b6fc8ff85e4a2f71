import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp, type App, type PushDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { MemoryRateLimiter, type RateLimiter } from '../../src/lib/rate-limit.js';
import type { RealtimeOptions } from '../../src/realtime/realtime.server.js';
import { freshDatabase } from './database.js';
import { TEST_VAPID } from './vapid.js';

export { TEST_VAPID };

export interface TestApp {
  app: App;
  config: Config;
  database: DatabaseHandle;
  baseUrl: string;
  /** Mutable clock for "today"; tests may set it. */
  clock: { now: Date };
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Socket.IO limits (fuzzers raise the per-socket event limits). */
  realtime?: Partial<RealtimeOptions>;
  /** Another rate limiter store (e.g. a RedisRateLimiter shared by two apps); closed by close(). */
  limiter?: RateLimiter;
  /** Serve this built web client at `/` (browser tests). */
  webRoot?: string;
  /** Start push delivery (the outbox relay and, unless PUSH_WORKERS_IN_PROCESS=false, workers). */
  push?: PushDeps;
}

/** The real app, on a fresh migrated database, listening on an ephemeral loopback port. */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT_PER_IP: '1000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000',
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000',
    PROFILE_VIEWS_PER_HOUR: '1000',
    ...TEST_VAPID,
    ...env,
  });
  const clock = { now: new Date() };
  const limiter = options.limiter ?? new MemoryRateLimiter();
  // TEST_LOG_LEVEL=error (or info, debug…) shows the app's own log lines on stderr while debugging a test.
  const logger = process.env.TEST_LOG_LEVEL ? pino({ level: process.env.TEST_LOG_LEVEL }, pino.destination(2)) : false;
  const app = await buildApp({ config, database, limiter, now: () => clock.now, logger, realtime: options.realtime, webRoot: options.webRoot, push: options.push });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.fastify.server.address() as AddressInfo;
  return {
    app,
    config,
    database,
    baseUrl: `http://127.0.0.1:${port}`,
    clock,
    async close() {
      await app.fastify.close();
      await limiter.close();
      await database.close();
    },
  };
}
