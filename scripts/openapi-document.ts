import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { MemoryRateLimiter } from '../src/lib/rate-limit.js';

/** The OpenAPI document exactly as the app serves it at /openapi.json (built from the route
 * schemas on a throwaway in-memory database; nothing listens). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const database = await openDatabase({ inMemory: true });
  await migrateToLatest(database.db);
  const limiter = new MemoryRateLimiter();
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' });
  const app = await buildApp({ config, database, limiter, logger: false });
  try {
    await app.fastify.ready();
    return app.fastify.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.fastify.close();
    await limiter.close();
    await database.close();
  }
}
