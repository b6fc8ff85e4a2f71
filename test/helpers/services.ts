import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Real servers for the few tests that cannot run on the embedded database: two API nodes sharing
 * one database and Redis, a worker cluster, a database unplugged mid-test.
 *
 * PostgreSQL is the one named by DATABASE_URL (as for the whole suite and the app), else the local
 * default; Redis is REDIS_TEST_URL (never REDIS_URL, so a developer's app Redis is not written to).
 */
export const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL || 'redis://127.0.0.1:6379';

type Service = 'postgres' | 'redis';

async function postgresAnswers(): Promise<boolean> {
  const probe = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await probe.end().catch(() => {});
  }
}

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_TEST_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A URL fit for a log line: any password masked. */
function shown(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const NEEDS: Record<Service, () => string> = {
  postgres: () => `PostgreSQL at ${shown(POSTGRES_URL)} (DATABASE_URL)`,
  redis: () => `Redis at ${shown(REDIS_TEST_URL)} (REDIS_TEST_URL)`,
};

/**
 * The `skip` option for the tests of `file` that need `services`: `false` when they all answer,
 * else one line saying what is missing and how to run the file. With REQUIRE_SERVICES=1 (CI) a
 * missing service is an error instead, so nothing is skipped silently there.
 */
export async function skipUnlessServices(file: string, ...services: Service[]): Promise<string | false> {
  const checks = { postgres: postgresAnswers, redis: redisAnswers };
  const answers = await Promise.all(services.map((s) => checks[s]()));
  const missing = services.filter((_, i) => !answers[i]);
  if (missing.length === 0) return false;
  const reason =
    `needs ${services.map((s) => NEEDS[s]()).join(' and ')}; ${missing.map((s) => NEEDS[s]().split(' at ')[0]).join(' and ')} did not answer. ` +
    `Start ${missing.length > 1 ? 'them' : 'it'} (or set the variable${missing.length > 1 ? 's' : ''}) and run: npm test -- ${file}`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 forbids skipping: ${file} ${reason}`);
  return reason;
}
