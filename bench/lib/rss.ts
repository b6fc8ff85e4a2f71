import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB, from /proc (Linux); NaN once it is gone. */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return line ? Number(line[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface Sample {
  /** Seconds since sampling started. */
  t: number;
  mb: number;
}

/** Samples a process's RSS every `intervalMs` until stopped. */
export function sampleRss(pid: number, intervalMs: number): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const start = Date.now();
  const take = () => samples.push({ t: (Date.now() - start) / 1000, mb: rssMb(pid) });
  take();
  const timer = setInterval(take, intervalMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** Least-squares slope of RSS over time, in MB per minute. */
export function slopePerMinute(samples: Sample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mm = samples.reduce((s, x) => s + x.mb, 0) / n;
  const cov = samples.reduce((s, x) => s + (x.t - mt) * (x.mb - mm), 0);
  const varT = samples.reduce((s, x) => s + (x.t - mt) ** 2, 0);
  return (cov / varT) * 60;
}

export interface GcSample {
  /** Seconds since probing started. */
  t: number;
  heapMb: number;
  rssMb: number;
}

/**
 * Memory right after a full GC, every `intervalMs`, from a server that preloads
 * bench/lib/heap-probe.mjs: SIGUSR2 asks it to collect and append heap and RSS to `file`. The
 * signal is only sent once the probe has said it is listening (SIGUSR2 would otherwise end the
 * process).
 */
export function probeAfterGc(pid: number, file: string, intervalMs: number): { stop(): GcSample[] } {
  const start = Date.now();
  const ready = () => {
    try {
      return readFileSync(file, 'utf8').startsWith('ready\n');
    } catch {
      return false;
    }
  };
  const timer = setInterval(() => {
    if (ready()) process.kill(pid, 'SIGUSR2');
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (!ready()) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.split(' ').map(Number))
        .filter((f) => f.length === 3 && f.every(Number.isFinite))
        .map(([at, heap, rss]) => ({ t: (at! - start) / 1000, heapMb: heap! / 2 ** 20, rssMb: rss! / 2 ** 20 }));
    },
  };
}
