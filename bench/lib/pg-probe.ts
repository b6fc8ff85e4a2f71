import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { percentile } from './stats.js';

/**
 * The database's own commit latency under the machine's current load: single-row autocommit
 * INSERTs at `rate` per second for `seconds` (open loop, one connection). The app's latency at the
 * same rate cannot be lower than this; it tells a slow app from a slow machine.
 */
export type Commits = { p50: number; p99: number; max: number };

export async function commitLatency(url: string, rate: number, seconds: number, table = 'bench_commit_probe'): Promise<Commits> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, at timestamptz DEFAULT now())`);
  const latencies: number[] = [];
  const start = performance.now();
  let chain: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // One after another on one connection, like the app's writer; measured from when it was due
    // (open loop), or from when it was queued if the loop let it go early (no negative latencies).
    const from = Math.min(due, performance.now());
    chain = chain.then(() => c.query(`INSERT INTO ${table} DEFAULT VALUES`)).then(() => latencies.push(performance.now() - from));
  }
  await chain;
  await c.query(`DROP TABLE ${table}`);
  await c.end();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) };
}
