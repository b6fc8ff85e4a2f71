import { fmt, percentile } from './stats.js';

/**
 * Latency and outcome per route (REST route templates and socket events alike). An answer the
 * scenario did not expect is an error; a refusal it knows can happen (e.g. a 409 when two people
 * request each other at the same moment) is counted apart.
 */
export class RouteStats {
  private readonly latencies = new Map<string, number[]>();
  private readonly errorsByRoute = new Map<string, number>();
  private readonly refusals = new Map<string, number>();
  /** Routes that time server pushes rather than answers: not counted as completed requests. */
  private readonly pushes = new Set<string>();
  /** The first few unexpected answers, to print. */
  readonly examples: string[] = [];

  ok(route: string, ms: number): void {
    const list = this.latencies.get(route);
    if (list) list.push(ms);
    else this.latencies.set(route, [ms]);
  }

  /** A server push (not an answer to a request), e.g. a newMessage reaching the partner. */
  pushed(route: string, ms: number): void {
    this.pushes.add(route);
    this.ok(route, ms);
  }

  error(route: string, detail: string): void {
    this.errorsByRoute.set(route, (this.errorsByRoute.get(route) ?? 0) + 1);
    if (this.examples.length < 10) this.examples.push(`${route}: ${detail}`);
  }

  refused(route: string, status: number): void {
    const key = `${route} → ${status}`;
    this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
  }

  get errors(): number {
    let n = 0;
    for (const c of this.errorsByRoute.values()) n += c;
    return n;
  }

  get completed(): number {
    let n = 0;
    for (const [route, list] of this.latencies) if (!this.pushes.has(route)) n += list.length;
    return n;
  }

  /** Per route: count, rate, p50, p99, max; then errors and known refusals. */
  table(seconds: number): string[] {
    const routes = [...new Set([...this.latencies.keys(), ...this.errorsByRoute.keys()])].sort();
    const width = Math.max(...routes.map((r) => r.length), 5);
    const lines = [`${'route'.padEnd(width)}  ${'count'.padStart(7)}  ${'per s'.padStart(7)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}  errors`];
    for (const route of routes) {
      const list = this.latencies.get(route) ?? [];
      const cells = [list.length, list.length / seconds, percentile(list, 50), percentile(list, 99), list.reduce((m, x) => Math.max(m, x), list.length ? -Infinity : NaN)];
      lines.push(
        `${route.padEnd(width)}  ${String(cells[0]).padStart(7)}  ${fmt(cells[1]!, 1).padStart(7)}  ${fmt(cells[2]!, 1).padStart(7)}  ` +
          `${fmt(cells[3]!, 1).padStart(7)}  ${fmt(cells[4]!, 1).padStart(7)}  ${this.errorsByRoute.get(route) ?? 0}`,
      );
    }
    for (const [key, n] of this.refusals) lines.push(`expected refusal: ${key} × ${n}`);
    return lines;
  }
}
