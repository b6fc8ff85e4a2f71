import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { TEST_VAPID } from '../../test/helpers/vapid.js';
import { join } from 'node:path';
import { serversRunAs } from './processes.js';

/**
 * The configuration every benchmark runs the server in by default: as deployed. NODE_ENV=production,
 * every other setting at its default (so request logs are on at `info`), REDIS_URL set (the
 * Socket.IO adapter and the shared rate limits), PostgreSQL (DATABASE_URL, set by each bench).
 *
 * The server's stdout (its pino log lines) goes into a pipe that this process drains into a file
 * under the temp dir, as a container runtime or a log shipper reads a deployed process's stdout:
 * the server pays for formatting and writing every line into the pipe, as in production.
 *
 * `--stripped` adds the configuration nobody deploys, for comparison only: LOG_LEVEL=warn and no
 * REDIS_URL (in-memory limits, no adapter).
 */
export interface BenchConfig {
  stripped: boolean;
  /** Environment for the server under test (merge the bench's own settings over it). */
  env: Record<string, string>;
  /** Where a server's stdout is written: one file per server role. */
  logFile(role: string): string;
  /** One line saying what ran. */
  describe(extra?: string): string;
}

/** METRICS_TOKEN of every bench server: production serves /metrics only with one. */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LOG_DIR = join(tmpdir(), 'saju-bench-logs');

export function benchConfig(args: string[], options: { stripped?: boolean } = {}): BenchConfig {
  const stripped = options.stripped ?? args.includes('--stripped');
  mkdirSync(LOG_DIR, { recursive: true });
  // Empty strings count as unset (src/config.ts): the inherited LOG_LEVEL/REDIS_URL of the shell
  // running the bench cannot leak into the server's configuration.
  const env: Record<string, string> = stripped
    ? { NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL: '', METRICS_TOKEN: BENCH_METRICS_TOKEN, ...TEST_VAPID }
    : { NODE_ENV: 'production', LOG_LEVEL: '', REDIS_URL: BENCH_REDIS_URL, METRICS_TOKEN: BENCH_METRICS_TOKEN, ...TEST_VAPID };
  return {
    stripped,
    env,
    logFile: (role) => join(LOG_DIR, `${role}.log`),
    describe: (extra = '') =>
      `configuration: ${stripped ? 'STRIPPED (for comparison; not deployed): ' : 'production: '}NODE_ENV=production, ` +
      `${stripped ? 'LOG_LEVEL=warn (no request logs), no REDIS_URL (in-memory limits, no adapter)' : `LOG_LEVEL unset (info: request logs on), REDIS_URL=${redact(BENCH_REDIS_URL)} (adapter and shared limits)`}, ` +
      `PostgreSQL; ${serversRunAs()}; server stdout → pipe → ${LOG_DIR}/<role>.log${extra ? `; ${extra}` : ''}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Lines and bytes a server wrote to its log file (to show that logging was on). */
export function logVolume(file: string): string {
  try {
    const bytes = statSync(file).size;
    const text = readFileSync(file, 'utf8');
    let lines = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    return `${lines.toLocaleString('en')} log lines, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${file}`;
  } catch {
    return `no log file ${file}`;
  }
}
