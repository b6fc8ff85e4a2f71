import { BENCH_METRICS_TOKEN } from './production.js';
import { fmt } from './stats.js';

type Pauses = { count: number; ms: number; over10: number };

/** A reading of the app's own `/metrics`: per GC kind (minor, major, incremental, weakcb) the
 * pauses counted, their total and how many took over 10 ms — prom-client's
 * `nodejs_gc_duration_seconds` histogram of V8's `gc` performance entries, each a main-thread
 * pause — and the longest event-loop delay since the previous reading (prom-client resets its
 * delay monitor at every scrape). */
export type AppReading = { gc: Record<string, Pauses>; loopMaxMs: number };

export async function readApp(port: number): Promise<AppReading> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  const text = await response.text();
  const gc: Record<string, Pauses> = {};
  const upTo10 = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^nodejs_gc_duration_seconds_(count|sum|bucket)\{(?:le="([^"]+)",)?kind="(\w+)"\} (\S+)$/.exec(line);
    if (!m) continue;
    const [, field, le, kind, value] = m as unknown as [string, string, string | undefined, string, string];
    const pauses = (gc[kind] ??= { count: 0, ms: 0, over10: 0 });
    if (field === 'count') pauses.count = Number(value);
    else if (field === 'sum') pauses.ms = Number(value) * 1000;
    else if (le === '0.01') upTo10.set(kind, Number(value));
  }
  for (const [kind, pauses] of Object.entries(gc)) pauses.over10 = pauses.count - (upTo10.get(kind) ?? 0);
  const lag = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return { gc, loopMaxMs: Number(lag?.[1]) * 1000 };
}

/** What happened between two readings, e.g. "minor 12 × 3.10 ms (0 > 10 ms); longest event-loop delay 9.2 ms". */
export function appDelta(before: AppReading, after: AppReading): string {
  const parts: string[] = [];
  for (const [kind, a] of Object.entries(after.gc)) {
    const b = before.gc[kind] ?? { count: 0, ms: 0, over10: 0 };
    const n = a.count - b.count;
    if (n > 0) parts.push(`${kind} ${n} × ${fmt((a.ms - b.ms) / n)} ms (${a.over10 - b.over10} > 10 ms)`);
  }
  return `GC ${parts.join(', ') || 'none'}; longest event-loop delay ${fmt(after.loopMaxMs)} ms`;
}
