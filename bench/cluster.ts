import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seededRandom } from '../scripts/lib/demo-users.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { cpuShares, type CpuShare } from './lib/machine.js';
import { benchAppEnv, loginAll, measureMe, randomPort, seedMeDatabase, type Round } from './lib/me-fixture.js';
import { cpuSeconds, startProcess, stopProcess } from './lib/processes.js';
import { BENCH_REDIS_URL, benchConfig, type BenchConfig } from './lib/production.js';
import { login, seedDemoPeople, timedGet } from './lib/recs-fixture.js';
import { commandLine, type CliValues } from '../src/lib/cli.js';
import { fmt, median, percentile } from './lib/stats.js';

/**
 * `npm run bench -- cluster [--rounds 3] [--seconds 5] [--connections 100] [--users 200]
 *                           [--rank-users 100000] [--rank-calls 120] [--rank-concurrency 8] [--cpu-bound-only]`
 *
 * One API process versus WEB_CONCURRENCY=2 (node:cluster, one worker per core), same PostgreSQL
 * database and Redis, interleaved rounds, nothing pinned, on two kinds of work:
 *
 * 1. I/O-light: authenticated GET /api/users/me under autocannon (~100 µs of server CPU per
 *    request, as much again in PostgreSQL and in the load generator).
 * 2. CPU-bound: the first recommendations call for a chart key nobody has asked for yet, which
 *    ranks the whole chart-key universe in the API process (~100 ms of CPU; PostgreSQL and the
 *    client are almost idle). Every call uses a caller with a chart key of its own, never asked
 *    before by either server, so each one pays the ranking.
 *
 * Each round also prints where the machine's CPU went (servers, load generator, whole machine in
 * cores): a second worker can only help when the first process is saturated AND a core is idle.
 */
const OPTIONS = {
  rounds: { type: 'integer', default: 3, min: 1, help: 'interleaved rounds' },
  seconds: { type: 'number', default: 5, min: 0.1, help: 'seconds per I/O-light round and server' },
  connections: { type: 'integer', default: 100, min: 1, help: 'concurrent connections (I/O-light)' },
  users: { type: 'integer', default: 200, min: 1, help: 'users logged in (I/O-light)' },
  'rank-users': { type: 'integer', default: 100_000, min: 2, help: 'people in the database (CPU-bound)' },
  'rank-calls': { type: 'integer', default: 120, min: 1, help: 'first rankings per round (CPU-bound)' },
  'rank-concurrency': { type: 'integer', default: 8, min: 1, help: 'rankings in flight (CPU-bound)' },
  'cpu-bound-only': { type: 'boolean', help: 'skip the I/O-light part' },
  stripped: { type: 'boolean', help: 'for comparison only: LOG_LEVEL=warn (request logs off)' },
} as const;
type Options = CliValues<typeof OPTIONS>;

export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine({ command: 'npm run bench -- cluster', options: OPTIONS }, args);
  // Always as deployed: a cluster needs REDIS_URL anyway; request logs on (--stripped: warn).
  const config = benchConfig(args);
  const redisUrl = BENCH_REDIS_URL;
  console.log(config.describe());
  if (!o['cpu-bound-only']) await ioLight(o, redisUrl, config);
  await cpuBound(o, redisUrl, config);
}

interface Servers {
  single: { port: number; pids: number[] };
  clustered: { port: number; pids: number[] };
}

/** Starts one process and a two-worker cluster on the same database, runs `fn`, stops them. */
async function withServers(env: Record<string, string>, fn: (servers: Servers) => Promise<void>): Promise<void> {
  const singlePort = randomPort();
  const clusterPort = singlePort + 1;
  const started: ChildProcess[] = [];
  try {
    const single = await startProcess('src/main.ts', { ...env, PORT: String(singlePort) }, { readyUrl: `http://127.0.0.1:${singlePort}/readyz` });
    started.push(single);
    const clustered = await startProcess('src/main.ts', { ...env, PORT: String(clusterPort), WEB_CONCURRENCY: '2' }, {
      readyUrl: `http://127.0.0.1:${clusterPort}/readyz`,
    });
    started.push(clustered);
    await new Promise((r) => setTimeout(r, 2000)); // let the second worker finish starting
    const workers = execFileSync('pgrep', ['-P', String(clustered.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    if (workers.length !== 2) throw new Error(`expected 2 workers, found ${workers.length}`);
    await fn({
      single: { port: singlePort, pids: [single.pid!] },
      clustered: { port: clusterPort, pids: [clustered.pid!, ...workers] },
    });
  } finally {
    for (const child of started) await stopProcess(child);
  }
}

const serverMs = (pids: number[]) => () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) * 1000;
const shareText = (s: CpuShare) =>
  `CPU in cores: server ${fmt(s.server)}, load generator ${fmt(s.loadGenerator)}, whole machine ${fmt(s.machine)} of 2`;

async function ioLight(o: Options, redisUrl: string, config: BenchConfig): Promise<void> {
  const { rounds, seconds, connections, users: userCount } = o;
  const env = { ...benchAppEnv(await seedMeDatabase('bench_cluster', userCount), config.env), REDIS_URL: redisUrl, HOST: '127.0.0.1' };

  await withServers(env, async ({ single, clustered }) => {
    const tokens = await loginAll(single.port, userCount);
    await measureMe(single, tokens, connections, seconds);
    await measureMe(clustered, tokens, connections, seconds);
    const singleRuns: Round[] = [];
    const clusterRuns: Round[] = [];
    console.log(`\n1. GET /api/users/me, ${connections} connections, ${seconds}s × ${rounds} interleaved rounds`);
    for (let r = 1; r <= rounds; r++) {
      const a = await cpuShares(serverMs(single.pids), () => measureMe(single, tokens, connections, seconds));
      const b = await cpuShares(serverMs(clustered.pids), () => measureMe(clustered, tokens, connections, seconds));
      singleRuns.push(a.result);
      clusterRuns.push(b.result);
      console.log(
        `round ${r}: 1 process ${fmt(a.result.rps, 0)} req/s (p99 ${a.result.p99} ms) | 2 workers ${fmt(b.result.rps, 0)} req/s ` +
          `(p99 ${b.result.p99} ms) | ratio ${fmt(b.result.rps / a.result.rps)}\n` +
          `  1 process: ${shareText(a.share)}\n  2 workers: ${shareText(b.share)}`,
      );
    }
    const m = (runs: Round[], k: keyof Round) => median(runs.map((x) => x[k]));
    console.log(
      `median: 1 process ${fmt(m(singleRuns, 'rps'), 0)} req/s p99 ${m(singleRuns, 'p99')} ms; 2 workers ` +
        `${fmt(m(clusterRuns, 'rps'), 0)} req/s p99 ${m(clusterRuns, 'p99')} ms; ratio ${fmt(m(clusterRuns, 'rps') / m(singleRuns, 'rps'))}`,
    );
  });
}

interface CallsRound {
  callsPerSecond: number;
  p50: number;
  p99: number;
}

/** `tokens.length` first recommendation calls, `concurrency` at a time. */
async function firstCalls(port: number, tokens: string[], concurrency: number): Promise<CallsRound> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens.length) latencies.push(await timedGet(port, tokens[next++]!));
    }),
  );
  const wall = performance.now() - t0;
  return { callsPerSecond: (tokens.length / wall) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function cpuBound(o: Options, redisUrl: string, config: BenchConfig): Promise<void> {
  const rounds = o.rounds;
  const userCount = o['rank-users'];
  const calls = o['rank-calls'];
  const concurrency = o['rank-concurrency'];

  const url = await freshBenchDatabase('bench_cluster_recs');
  const database = await openDatabase({ url });
  await migrateToLatest(database.db);
  // Everyone with a birth time: tens of thousands of distinct chart keys, so a ranking is real work.
  await seedDemoPeople(database.db, userCount, 1);
  // One caller per chart key, in a seeded random order: no two calls share a ranking.
  const rows = await sql<{ id: number }>`SELECT DISTINCT ON (saju_key) id FROM users ORDER BY saju_key, id`.execute(database.db);
  const keys = await sql<{ n: number }>`SELECT count(*)::int AS n FROM saju_keys`.execute(database.db);
  await database.close();
  const rand = seededRandom(11);
  const callers = rows.rows.map((r) => r.id);
  for (let i = callers.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [callers[i], callers[j]] = [callers[j]!, callers[i]!];
  }
  const needed = 2 * (concurrency + rounds * calls);
  if (callers.length < needed) throw new Error(`only ${callers.length} distinct chart keys; need ${needed}`);

  const env = { ...benchAppEnv(url, config.env), REDIS_URL: redisUrl, HOST: '127.0.0.1' };
  await withServers(env, async ({ single, clustered }) => {
    const tokens: string[] = [];
    for (let i = 0; i < needed; i += 8) {
      const batch = callers.slice(i, Math.min(needed, i + 8));
      tokens.push(...(await Promise.all(batch.map((id) => login(single.port, id)))));
    }
    const take = (n: number) => tokens.splice(0, n);
    await firstCalls(single.port, take(concurrency), concurrency); // warm-up: JIT, pools
    await firstCalls(clustered.port, take(concurrency), concurrency);
    console.log(
      `\n2. first recommendations call for a new chart key (${keys.rows[0]!.n.toLocaleString('en')} chart keys among ` +
        `${userCount.toLocaleString('en')} people): ${calls} calls × ${rounds} interleaved rounds, ${concurrency} at a time`,
    );
    const singleRuns: CallsRound[] = [];
    const clusterRuns: CallsRound[] = [];
    for (let r = 1; r <= rounds; r++) {
      const a = await cpuShares(serverMs(single.pids), () => firstCalls(single.port, take(calls), concurrency));
      const b = await cpuShares(serverMs(clustered.pids), () => firstCalls(clustered.port, take(calls), concurrency));
      singleRuns.push(a.result);
      clusterRuns.push(b.result);
      console.log(
        `round ${r}: 1 process ${fmt(a.result.callsPerSecond, 1)} calls/s (p50 ${fmt(a.result.p50, 0)} ms, p99 ${fmt(a.result.p99, 0)} ms) | ` +
          `2 workers ${fmt(b.result.callsPerSecond, 1)} calls/s (p50 ${fmt(b.result.p50, 0)} ms, p99 ${fmt(b.result.p99, 0)} ms) | ` +
          `ratio ${fmt(b.result.callsPerSecond / a.result.callsPerSecond)}\n` +
          `  1 process: ${shareText(a.share)}\n  2 workers: ${shareText(b.share)}`,
      );
    }
    const m = (runs: CallsRound[]) => median(runs.map((x) => x.callsPerSecond));
    console.log(
      `median: 1 process ${fmt(m(singleRuns), 1)} calls/s; 2 workers ${fmt(m(clusterRuns), 1)} calls/s; ` +
        `ratio ${fmt(m(clusterRuns) / m(singleRuns))}`,
    );
  });
}
