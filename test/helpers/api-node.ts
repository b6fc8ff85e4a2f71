import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { buildApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { MemoryRateLimiter, type RateLimiter } from '../../src/lib/rate-limit.js';
import { client, type Client } from './client.js';
import { REDIS_TEST_URL } from './services.js';

/**
 * One API node of a multi-process test: its own pool, Redis connection, rate limiters and
 * Socket.IO server, listening on a port of its own. Two of them on one PostgreSQL database and one
 * Redis stand for two processes behind a load balancer (PGlite cannot be shared).
 */
export interface ApiNode {
  app: App;
  url: string;
  api: Client;
  close(): Promise<void>;
}

export interface ApiNodeOptions {
  /** The environment the node's configuration is parsed from (NODE_ENV, JWT_SECRET, limits…). */
  env: Record<string, string>;
  realtime?: AppDeps['realtime'];
  push?: AppDeps['push'];
  /** Rate limiters on the node's Redis connection; default one in-memory limiter for everything. */
  limiters?: (redis: Redis) => { limiter: RateLimiter; sendLimiter?: RateLimiter };
}

export async function startApiNode(databaseUrl: string, options: ApiNodeOptions): Promise<ApiNode> {
  const database = await openDatabase({ url: databaseUrl, poolSize: 5 });
  const redis = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
  const { limiter, sendLimiter } = options.limiters?.(redis) ?? { limiter: new MemoryRateLimiter() };
  let app: App | undefined;
  try {
    app = await buildApp({
      config: loadConfig(options.env),
      database,
      limiter,
      ...(sendLimiter ? { sendLimiter } : {}),
      redis,
      logger: false,
      ...(options.realtime ? { realtime: options.realtime } : {}),
      ...(options.push ? { push: options.push } : {}),
    });
    await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    // A node that fails to start (say, a connection timeout under load) must not leave its pool
    // and Redis connection open: the test process would never exit.
    await app?.fastify.close().catch(() => {});
    await limiter.close().catch(() => {});
    await sendLimiter?.close().catch(() => {});
    redis.disconnect();
    await database.close().catch(() => {});
    throw error;
  }
  const url = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  const started = app;
  return {
    app: started,
    url,
    api: client(url),
    async close() {
      await started.fastify.close();
      await limiter.close();
      await sendLimiter?.close();
      await redis.quit();
      await database.close();
    },
  };
}

/** Starts nodes side by side; if any fails, the others are closed before the error is thrown. */
export async function startApiNodes(...starts: Array<() => Promise<ApiNode>>): Promise<ApiNode[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.close().catch(() => {}) : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<ApiNode>).value);
}
