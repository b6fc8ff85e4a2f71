import type { KeyRanking } from './key-ranking.js';
import type { DailyEntry, EligibleRow } from './recommendations.repo.js';

/** The most a day's set holds: the largest `limit`, so any later limit is a slice of it. */
export const DAILY_SET_SIZE = 50;

const FIRST_BATCH = 4;
const MAX_BATCH = 4096;

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Orders people of equal score: fixed for a user and a Korean day, different the next day, so
 * that equally compatible people take turns at the top instead of the lowest ids winning forever.
 */
export function dailyTiebreak(userId: number, date: string): (candidateId: number) => number {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const seed = mix(mix(userId) ^ Math.imul(day, 0x9e3779b9));
  return (candidateId) => mix(seed ^ candidateId);
}

interface Pick {
  candidateId: number;
  score: number;
  tiebreak: number;
}

const byRank = (a: Pick, b: Pick) => b.score - a.score || a.tiebreak - b.tiebreak || a.candidateId - b.candidateId;

export interface PickOptions {
  size: number;
  /** People shown on the previous days: taken only when there are not enough others. */
  recentlyShown: ReadonlySet<number>;
  tiebreak: (candidateId: number) => number;
  /** The eligible people among those with one of the keys. */
  eligible: (keys: Int32Array) => Promise<EligibleRow[]>;
}

/**
 * Walks the ranking's chart keys best first, fetching the eligible people of a batch of keys at a
 * time (whole score levels, batches sized by the yield so far), and stops as soon as it has `size`
 * people not shown recently: everyone not fetched yet scores strictly lower. The result is the
 * best `size` by score (then the day's tie-break), people shown recently only filling up.
 * Returns null when a partial ranking ran out first (the caller then uses the full ranking).
 */
export async function pickDailySet(ranking: KeyRanking, options: PickOptions): Promise<DailyEntry[] | null> {
  const fresh: Pick[] = [];
  const recent: Pick[] = [];
  let next = 0;
  let batch = FIRST_BATCH;
  while (next < ranking.length && fresh.length < options.size) {
    let end = Math.min(ranking.length, next + batch);
    while (end < ranking.length && ranking.scores[end] === ranking.scores[end - 1]) end += 1;
    const keys = ranking.keys.subarray(next, end);
    const scoreOf = new Map<number, number>();
    keys.forEach((key, i) => scoreOf.set(key, ranking.scores[next + i]!));
    for (const row of await options.eligible(keys)) {
      const pick = { candidateId: row.id, score: scoreOf.get(row.saju_key)!, tiebreak: options.tiebreak(row.id) };
      (options.recentlyShown.has(row.id) ? recent : fresh).push(pick);
    }
    next = end;
    const perKey = Math.max(fresh.length / next, 1 / 64);
    batch = Math.min(MAX_BATCH, Math.max(FIRST_BATCH, Math.ceil(((options.size - fresh.length) / perKey) * 1.5)));
  }
  if (fresh.length < options.size && !ranking.complete) return null;
  const chosen = fresh.sort(byRank).slice(0, options.size);
  if (chosen.length < options.size) chosen.push(...recent.sort(byRank).slice(0, options.size - chosen.length));
  return chosen.sort(byRank).map(({ candidateId, score }) => ({ candidateId, score }));
}
