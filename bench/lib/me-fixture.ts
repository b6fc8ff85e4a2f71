import autocannon from 'autocannon';
import { hashPassword } from '../../src/auth/passwords.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { freshBenchDatabase } from './bench-db.js';
import { cpuSeconds } from './processes.js';
import { DEMO_PASSWORD, login } from './recs-fixture.js';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-0123456789';

/** A fresh PostgreSQL database with `userCount` users for GET /api/users/me benchmarks. */
export async function seedMeDatabase(name: string, userCount: number): Promise<string> {
  const url = await freshBenchDatabase(name);
  const database = await openDatabase({ url });
  await migrateToLatest(database.db);
  const hash = await hashPassword(DEMO_PASSWORD);
  await database.db
    .insertInto('users')
    .values(
      Array.from({ length: userCount }, (_, i) => ({
        email: `bench${i}@example.com`,
        password_hash: hash,
        name: `벤치${i}`,
        birth_date: '1990-01-01',
        gender: i % 2 ? ('male' as const) : ('female' as const),
        interested_in: [i % 2 ? 'female' : 'male'] as ('male' | 'female')[],
        bio: '안녕하세요 반갑습니다',
      })),
    )
    .execute();
  await database.close();
  return url;
}

/** The environment of an app server under benchmark: `config` (bench/lib/production.ts: as
 * deployed unless --stripped) with this database and no login throttling (every bench user logs in
 * from one address at once). */
export function benchAppEnv(databaseUrl: string, config: Record<string, string>): Record<string, string> {
  return {
    ...config,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: BENCH_SECRET,
    AUTH_RATE_LIMIT_PER_IP: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '100000',
    PROFILE_VIEWS_PER_HOUR: '100000',
  };
}

/** Logs every bench user in once through the app; any server sharing the secret accepts the tokens. */
export async function loginAll(port: number, userCount: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < userCount; i++) tokens.push(await login(port, i));
  return tokens;
}

export interface Target {
  port: number;
  /** Processes whose CPU time counts as the server's. */
  pids: number[];
}

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU µs per request. */
  cpuUs: number;
}

/** One autocannon round of authenticated GET /api/users/me, each connection with its own user. */
export async function measureMe(target: Target, tokens: string[], connections: number, seconds: number): Promise<Round> {
  let next = 0;
  const cpu = () => target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const cpuBefore = cpu();
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}/api/users/me`,
    connections,
    duration: seconds,
    setupClient: (c) => {
      c.setHeaders({ authorization: `Bearer ${tokens[next++ % tokens.length]}` });
    },
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`port ${target.port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const cpuUs = ((cpu() - cpuBefore) / result.requests.total) * 1e6;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

export { randomPort } from './processes.js';
