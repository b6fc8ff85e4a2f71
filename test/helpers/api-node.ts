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
  const app = await buildApp({
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
  const url = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  return {
    app,
    url,
    api: client(url),
    async close() {
      await app.fastify.close();
      await limiter.close();
      await sendLimiter?.close();
      await redis.quit();
      await database.close();
    },
  };
}
