import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time of the whole machine so far (all cores), busy and in all, in ms (/proc/stat). */
export function machineCpuMs(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = fields[3]! + fields[4]!; // idle + iowait
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

/** This process's own CPU time so far (the load generator), in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CpuShare {
  /** Cores' worth of CPU used, on average, during the interval. */
  server: number;
  loadGenerator: number;
  machine: number;
}

/**
 * Where the machine's CPU went while `work` ran: the servers under test (`serverMs` reads their
 * CPU time), this process, and the whole machine (the rest is PostgreSQL, Redis and anything else).
 */
export async function cpuShares<T>(serverMs: () => number, work: () => Promise<T>): Promise<{ result: T; share: CpuShare }> {
  const t0 = performance.now();
  const [server0, self0, machine0] = [serverMs(), selfCpuMs(), machineCpuMs().busy];
  const result = await work();
  const wall = performance.now() - t0;
  const share = {
    server: (serverMs() - server0) / wall,
    loadGenerator: (selfCpuMs() - self0) / wall,
    machine: (machineCpuMs().busy - machine0) / wall,
  };
  return { result, share };
}
