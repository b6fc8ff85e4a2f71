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

/** The day's order among equals, for one user and one Korean date. */
export interface DailyOrder {
  /** Orders charts of equal score. */
  chart: (sajuKey: number) => number;
  /** Orders people of the same chart. */
  person: (candidateId: number) => number;
}

/**
 * Ties broken by hashes that are fixed for a user and a Korean day and different the next day,
 * so that equally compatible people take turns at the top instead of the lowest ids winning
 * forever. Charts first, then people: the walk below can then stop inside a large score level.
 */
export function dailyOrder(userId: number, date: string): DailyOrder {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const seed = mix(mix(userId) ^ Math.imul(day, 0x9e3779b9));
  return { chart: (key) => mix(seed ^ mix(key ^ 0x5bd1e995)), person: (id) => mix(seed ^ id) };
}

interface Pick {
  candidateId: number;
  score: number;
  chart: number;
  sajuKey: number;
  person: number;
}

/** Score, then the day's chart order, then the day's person order: the order of the walk too. */
const byRank = (a: Pick, b: Pick) =>
  b.score - a.score || a.chart - b.chart || a.sajuKey - b.sajuKey || a.person - b.person || a.candidateId - b.candidateId;

/** The ranking's keys in walk order: best score first, each level sorted by the day's chart order when reached. */
class KeyWalk {
  private next = 0;
  private level: Array<{ key: number; chart: number }> = [];
  private inLevel = 0;
  private score = 0;
  walked = 0;

  constructor(
    private readonly ranking: KeyRanking,
    private readonly order: DailyOrder,
  ) {}

  get done(): boolean {
    return this.inLevel >= this.level.length && this.next >= this.ranking.length;
  }

  take(n: number): Array<{ key: number; score: number; chart: number }> {
    const out = [];
    while (out.length < n && !this.done) {
      if (this.inLevel >= this.level.length) this.loadLevel();
      const { key, chart } = this.level[this.inLevel++]!;
      out.push({ key, score: this.score, chart });
    }
    this.walked += out.length;
    return out;
  }

  private loadLevel(): void {
    const { keys, scores } = this.ranking;
    this.score = scores[this.next]!;
    const level = [];
    while (this.next < keys.length && scores[this.next] === this.score) {
      const key = keys[this.next++]!;
      level.push({ key, chart: this.order.chart(key) });
    }
    this.level = level.sort((a, b) => a.chart - b.chart || a.key - b.key);
    this.inLevel = 0;
  }
}

export interface PickOptions {
  size: number;
  /** People shown on the previous days: taken only when there are not enough others. */
  recentlyShown: ReadonlySet<number>;
  order: DailyOrder;
  /** The eligible people among those with one of the keys. */
  eligible: (keys: Int32Array) => Promise<EligibleRow[]>;
}

/**
 * Walks the ranking's chart keys in the final order (score, then the day's chart order), fetching
 * the eligible people of a batch of keys at a time (batches sized by the yield so far), and stops
 * as soon as it has `size` people not shown recently: everyone not fetched yet comes later in
 * that order. The result is the first `size` in it, people shown recently only filling up.
 * Returns null when a partial ranking ran out first (the caller then uses the full ranking).
 */
export async function pickDailySet(ranking: KeyRanking, options: PickOptions): Promise<DailyEntry[] | null> {
  const fresh: Pick[] = [];
  const recent: Pick[] = [];
  const walk = new KeyWalk(ranking, options.order);
  let batch = FIRST_BATCH;
  while (!walk.done && fresh.length < options.size) {
    const keys = walk.take(batch);
    const byKey = new Map(keys.map((k) => [k.key, k]));
    for (const row of await options.eligible(Int32Array.from(keys, (k) => k.key))) {
      const k = byKey.get(row.saju_key)!;
      const pick = { candidateId: row.id, score: k.score, chart: k.chart, sajuKey: k.key, person: options.order.person(row.id) };
      (options.recentlyShown.has(row.id) ? recent : fresh).push(pick);
    }
    const perKey = Math.max(fresh.length / walk.walked, 1 / 64);
    batch = Math.min(MAX_BATCH, Math.max(FIRST_BATCH, Math.ceil(((options.size - fresh.length) / perKey) * 1.5)));
  }
  if (fresh.length < options.size && !ranking.complete) return null;
  const chosen = fresh.sort(byRank).slice(0, options.size);
  if (chosen.length < options.size) chosen.push(...recent.sort(byRank).slice(0, options.size - chosen.length));
  return chosen.sort(byRank).map(({ candidateId, score }) => ({ candidateId, score }));
}
