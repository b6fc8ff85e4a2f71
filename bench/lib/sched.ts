import { readFileSync } from 'node:fs';

/**
 * Time a process's main thread (for Node: the event loop) spent running and spent runnable but
 * waiting for a CPU, in ms, from /proc/<pid>/schedstat (Linux). On a shared machine the waiting
 * share tells how much of a latency was other people's processes, not ours.
 */
export function schedMs(pid: number): { running: number; waiting: number } {
  try {
    const [running, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { running: running! / 1e6, waiting: waiting! / 1e6 };
  } catch {
    return { running: NaN, waiting: NaN };
  }
}
