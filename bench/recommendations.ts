import { sql } from 'kysely';
import pg from 'pg';
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seededRandom } from '../scripts/lib/demo-users.js';
import { bruteForceRecommendations } from './lib/brute-force-recommendations.js';
import { backendPids, cpuMs } from './lib/cpu.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { login, seedDemoPeople as seed, timedGet } from './lib/recs-fixture.js';
import { pinSelf, startProcess, stopProcess } from './lib/processes.js';
import { commandLine } from '../src/lib/cli.js';
import { benchConfig, logVolume } from './lib/production.js';
import { fmt, percentile } from './lib/stats.js';

/**
 * `npm run bench -- recommendations [--users 1000000] [--callers 200] [--brute 40] [--concurrency 4] [--warm-calls 3000] [--birth-time-share 0.15] [--reuse]`
 *
 * Seeds a fresh PostgreSQL database (bench_recs) with demo people in bulk, starts the real server
 * (pinned to CPU 0; this process on CPU 1) and times GET /api/matches/recommendations per caller,
 * one request at a time:
 *   1. first call ever: nothing cached, the caller's chart-key ranking is computed;
 *   2. repeat calls the same day (the stored set read back), `concurrency` callers at a time:
 *      first right after the first calls, while V8 is still compiling the request path (a
 *      freshly started process: ≈ 2× the CPU per call), then again after `warm-calls` more
 *      repeat calls (not counted), as a process that has been serving for a while answers them;
 *   3. after a server restart and a simulated Korean midnight, the first call of the new day
 *      (rankings come from saju_key_rankings, the set is picked and stored anew);
 * and, in this process, the brute-force baseline for a subset of the same callers: fetch every
 * eligible person with the same SQL filters and score each with compatibilityScore.
 */
export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine(
    {
      command: 'npm run bench -- recommendations',
      options: {
        users: { type: 'integer', default: 1_000_000, min: 2, help: 'people in the database' },
        callers: { type: 'integer', default: 200, min: 1, help: 'callers measured' },
        brute: { type: 'integer', default: 40, min: 0, help: 'callers also measured by brute force (the baseline)' },
        concurrency: { type: 'integer', default: 4, min: 1, help: 'repeat calls in flight at a time (first calls: one at a time)' },
        'warm-calls': { type: 'integer', default: 3000, min: 0, help: 'repeat calls, not counted, before the warm repeat phases' },
        'birth-time-share': { type: 'number', default: 0.15, min: 0, max: 1, help: 'share of people with a birth time' },
        reuse: { type: 'boolean', help: 'measure again on the database a previous run seeded' },
        stripped: { type: 'boolean', help: 'for comparison only: LOG_LEVEL=warn and no Redis (not how it is deployed)' },
        database: { type: 'string', default: 'bench_recs', help: 'database name (two people can bench on one server)' },
        port: { type: 'integer', default: 3111, min: 1, help: 'port of the measured server' },
      },
    },
    args,
  );
  const { users: userCount, callers: callerCount, brute: bruteCount } = o;
  const birthTimeShare = o['birth-time-share'];
  const port = o.port;
  const dbName = /^[a-z_][a-z0-9_]*$/.test(o.database) ? o.database : 'bench_recs';

  // --reuse: measure again on the database a previous run seeded (its stored sets and rankings
  // are cleared, so every phase starts as cold as the first time).
  const reuse = o.reuse && (await seededCount(benchUrl(dbName))) === userCount;
  const url = reuse ? benchUrl(dbName) : await freshBenchDatabase(dbName);
  const database = await openDatabase({ url });
  const db = database.db;
  await migrateToLatest(db);
  if (reuse) await sql`TRUNCATE daily_recommendation_sets, daily_recommendations, saju_key_rankings`.execute(db);
  else await seed(db, userCount, birthTimeShare);

  const rand = seededRandom(7);
  const callerIds = new Set<number>();
  while (callerIds.size < Math.min(callerCount + 5, userCount)) callerIds.add(1 + Math.floor(rand() * userCount));
  const ids = [...callerIds];
  const warmupIds = ids.splice(0, 5);

  // As deployed (bench/lib/production.ts): request logs on, REDIS_URL set; --stripped: warn, no Redis.
  const config = benchConfig(args);
  const logFile = config.logFile('recommendations-app');
  console.log(config.describe());
  const env = {
    ...config.env,
    DATABASE_URL: url,
    JWT_SECRET: 'bench-secret-0123456789-0123456789-0123456789',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000000',
    PROFILE_VIEWS_PER_HOUR: '1000000',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // The app pinned to CPU 0, ready once /readyz answers; the run's first server starts the log file
  // afresh and the second (after the midnight) appends to it.
  const start = (appendLog: boolean) =>
    startProcess('src/main.ts', env, { cpu: 0, readyUrl: `http://127.0.0.1:${port}/readyz`, timeoutMs: 120_000, logFile, appendLog });
  await pinSelf(1);
  let server: ChildProcess = await start(false);
  try {
    const tokens = new Map<number, string>();
    for (const id of [...warmupIds, ...ids]) tokens.set(id, await login(port, id));
    const call = (id: number) => timedGet(port, tokens.get(id)!);

    for (const id of warmupIds) await call(id); // JIT and connection pool, not counted
    const phase = async (calls: number[], fn: (id: number) => Promise<number>, pid = server.pid!, inFlight = 1) => {
      // Backends alive at the end, each counted from the start of the phase (or from its birth);
      // one that ended during the phase (an idle pool connection timing out) cannot be counted.
      const backends0 = new Map((await backendPids(url, dbName)).map((b) => [b, cpuMs(b)]));
      const server0 = pid === process.pid ? process.cpuUsage() : null;
      const app0 = cpuMs(pid);
      const latencies = await measure(calls, fn, inFlight);
      const appMs = server0 ? (process.cpuUsage(server0).user + process.cpuUsage(server0).system) / 1000 : cpuMs(pid) - app0;
      const pgMs = (await backendPids(url, dbName)).reduce((sum, b) => sum + cpuMs(b) - (backends0.get(b) ?? 0), 0);
      return { latencies, appCpu: appMs / calls.length, pgCpu: pgMs / calls.length };
    };
    const cold = await phase(ids, call);
    // Right after the first calls: the process is seconds old and V8 is still optimising the
    // request path (measured: server CPU per call falls from ≈ 0.6 to ≈ 0.3 ms over the first
    // ≈ 2,000 calls). Then warm, as a process that has served for a while.
    const warmUp = () => measure(Array.from({ length: o['warm-calls'] }, (_, i) => ids[i % ids.length]!), call, o.concurrency);
    const repeatCold = await phase([...ids, ...ids, ...ids], call, server.pid!, o.concurrency);
    await warmUp();
    const repeat = await phase([...ids, ...ids, ...ids], call, server.pid!, o.concurrency);

    await stopProcess(server);
    // A Korean midnight passes: today's sets become yesterday's (entries follow by ON UPDATE CASCADE).
    await sql`UPDATE daily_recommendation_sets SET kst_date = kst_date - 1`.execute(db);
    // That UPDATE rewrote every set and entry at once, leaving their old versions dead under
    // today's keys, where the new day's reads would walk them. A real midnight rewrites nothing
    // (yesterday's rows were written a day ago and vacuumed since), so neither should the bench.
    await sql`VACUUM daily_recommendation_sets, daily_recommendations`.execute(db);
    server = await start(true);
    for (const id of warmupIds) await call(id);
    const firstOfDay = await phase(ids, call);
    const repeatOfDayCold = await phase([...ids, ...ids], call, server.pid!, o.concurrency);
    await warmUp();
    const repeatOfDay = await phase([...ids, ...ids], call, server.pid!, o.concurrency);
    // The noise floor: the cheapest authenticated route, through the same client, server and pool.
    const me = await phase([...ids, ...ids], (id) => timedGet(port, tokens.get(id)!, '/api/users/me'));
    await bruteForceRecommendations(db, warmupIds[0]!); // opens the pool connection the phase will use
    const brute = await phase(
      ids.slice(0, bruteCount),
      async (id) => {
        const t0 = performance.now();
        await bruteForceRecommendations(db, id);
        return performance.now() - t0;
      },
      process.pid,
    );

    type Phase = Awaited<ReturnType<typeof phase>>;
    const row = (name: string, p: Phase) => {
      const v = p.latencies;
      return `| ${name} | ${v.length} | ${fmt(percentile(v, 50))} | ${fmt(percentile(v, 95))} | ${fmt(percentile(v, 99))} | ${fmt(p.appCpu)} | ${fmt(p.pgCpu)} |`;
    };
    console.log(`\nload average during the run: ${loadavg().map((l) => fmt(l, 1)).join(' ')} (2 cores)`);
    console.log(`${userCount.toLocaleString('en')} users, ${(await counts(db)).keys.toLocaleString('en')} distinct chart keys; ms`);
    console.log('| case | calls | p50 | p95 | p99 | app CPU / call | PostgreSQL CPU / call |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    console.log(row('first call ever (chart-key ranking computed)', cold));
    console.log(row(`repeat calls, same day, right after start (${o.concurrency} at a time)`, repeatCold));
    console.log(row(`repeat calls, same day, warm: after ${o['warm-calls']} more (${o.concurrency} at a time)`, repeat));
    console.log(row('first call of a new day (after restart)', firstOfDay));
    console.log(row(`repeat calls, new day, right after start (${o.concurrency} at a time)`, repeatOfDayCold));
    console.log(row(`repeat calls, new day, warm: after ${o['warm-calls']} more (${o.concurrency} at a time)`, repeatOfDay));
    console.log(row('GET /api/users/me (noise floor, for comparison)', me));
    console.log(row('brute-force baseline (in this process, no HTTP)', brute));
    for (const [name, p] of [
      ['first call of the day', firstOfDay],
      ['first call ever', cold],
      ['repeat call', repeatOfDay],
    ] as const) {
      const b = brute.latencies;
      const v = p.latencies;
      const cpu = (brute.appCpu + brute.pgCpu) / (p.appCpu + p.pgCpu);
      console.log(
        `brute force / ${name}: ${fmt(percentile(b, 50) / percentile(v, 50), 1)}× at p50, ` +
          `${fmt(percentile(b, 95) / percentile(v, 95), 1)}× at p95, ${fmt(cpu, 1)}× in CPU per call`,
      );
    }
  } finally {
    await stopProcess(server);
    await database.close();
  }
  console.log(`app server: ${logVolume(logFile)}; ${config.describe()}`);
}

function benchUrl(name: string): string {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  return url.toString();
}

/** How many users an earlier run left in that database (0 if there is none). */
async function seededCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

async function counts(db: Db) {
  const row = await sql<{ keys: number }>`SELECT count(*)::int AS keys FROM saju_keys`.execute(db);
  return row.rows[0]!;
}

/** Latency of each call, `inFlight` callers at a time (each takes the next id when its call returns). */
async function measure(ids: number[], call: (id: number) => Promise<number>, inFlight = 1): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  const caller = async () => {
    while (next < ids.length) out.push(await call(ids[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, ids.length) }, caller));
  return out;
}
