import { readFileSync } from 'node:fs';
import pg from 'pg';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The chat bench's durable floor server names its connection so: its backend is not the app's. */
export const DURABLE_FLOOR_APPLICATION = 'bench_durable_floor';

/** The PostgreSQL backend processes serving `database` (the app's pool), for their CPU time. */
export async function backendPids(serverUrl: string, database: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  const { rows } = await c.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2',
    [database, DURABLE_FLOOR_APPLICATION],
  );
  await c.end();
  return rows.map((r) => r.pid);
}

/** CPU used by `pids` while `work` runs. */
export async function measureCpu<T>(pids: () => number[], work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const list = pids();
  const before = list.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const result = await work();
  const after = list.reduce((sum, pid) => sum + cpuMs(pid), 0);
  return { result, ms: after - before };
}

/**
 * How long a process's main thread waited for a CPU while it was runnable (Linux schedstat: ns
 * on a run queue), polled every `everyMs` until `stop()`: the total, and the most it waited
 * within one polling interval — a lower bound on its longest single wait. Large waits mean the
 * process was ready to work and the core was busy with something else (other processes on it).
 */
export function watchRunQueue(pid: number, everyMs = 2): () => { totalMs: number; longestMs: number } {
  const waited = () => {
    try {
      return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
    } catch {
      return NaN;
    }
  };
  const first = waited();
  let last = first;
  let longestMs = 0;
  const timer = setInterval(() => {
    const now = waited();
    longestMs = Math.max(longestMs, now - last);
    last = now;
  }, everyMs);
  return () => {
    clearInterval(timer);
    const now = waited();
    longestMs = Math.max(longestMs, now - last);
    return { totalMs: now - first, longestMs };
  };
}
