// Deterministic test populations: a seeded PRNG and birth dates drawn like the app's users.
import { chartKey, computeChart } from '../../src/saju/index.js';

/** mulberry32: a tiny, well-mixed 32-bit PRNG; the same seed always gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY_MS = 86_400_000;

/** Birth dates uniform over 1960-01-01 … 2006-12-31, no birth time: the realistic population. */
export function realisticBirthDates(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const first = Date.UTC(1960, 0, 1);
  const days = Math.round((Date.UTC(2006, 11, 31) - first) / DAY_MS) + 1;
  return Array.from({ length: count }, () => new Date(first + Math.floor(random() * days) * DAY_MS).toISOString().slice(0, 10));
}

export function realisticChartKeys(count: number, seed: number): number[] {
  return realisticBirthDates(count, seed).map((birthDate) => chartKey(computeChart({ birthDate })));
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
