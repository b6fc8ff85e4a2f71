import { chartFromKey } from '../saju/index.js';
import type { KeyRanking } from './key-ranking.js';
import type { DailyEntry, EligibleRow } from './recommendations.repo.js';

/** The most a day's set holds: the largest `limit`, so any later limit is a slice of it. */
export const DAILY_SET_SIZE = 50;

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

interface WalkedKey {
  key: number;
  score: number;
  chart: number;
}

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

  take(n: number): WalkedKey[] {
    const out: WalkedKey[] = [];
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
 * the eligible people of a batch of keys at a time (batches sized by the expected yield), and stops
 * as soon as it has `size` people not shown recently: everyone not fetched yet comes later in
 * that order. The result is the first `size` in it, people shown recently only filling up.
 * Returns null when a partial ranking ran out first (the caller then uses the full ranking).
 */
export async function pickDailySet(ranking: KeyRanking, options: PickOptions): Promise<DailyEntry[] | null> {
  const fresh: Pick[] = [];
  const recent: Pick[] = [];
  const walk = new KeyWalk(ranking, options.order);
  const yields = new YieldEstimate();
  while (!walk.done && fresh.length < options.size) {
    // Enough charts for the people still missing (and a quarter more), as far as we can tell.
    const wanted = (options.size - fresh.length) * 1.25;
    const keys: WalkedKey[] = [];
    for (let expected = 0; !walk.done && keys.length < MAX_BATCH && (keys.length === 0 || expected < wanted); ) {
      const key = walk.take(1)[0]!;
      keys.push(key);
      expected += yields.expected(key.key);
    }
    const byKey = new Map(keys.map((k) => [k.key, k]));
    const before = fresh.length;
    for (const row of await options.eligible(Int32Array.from(keys, (k) => k.key))) {
      const k = byKey.get(row.saju_key)!;
      const pick = { candidateId: row.id, score: k.score, chart: k.chart, sajuKey: k.key, person: options.order.person(row.id) };
      (options.recentlyShown.has(row.id) ? recent : fresh).push(pick);
    }
    yields.learn(keys, fresh.slice(before));
  }
  if (fresh.length < options.size && !ranking.complete) return null;
  const chosen = fresh.sort(byRank).slice(0, options.size);
  if (chosen.length < options.size) chosen.push(...recent.sort(byRank).slice(0, options.size - chosen.length));
  return chosen.sort(byRank).map(({ candidateId, score }) => ({ candidateId, score }));
}

/**
 * How many eligible, not recently shown people a chart key brings, learnt during the walk. Two
 * kinds differ by orders of magnitude: a chart without a birth hour is shared by everyone born
 * that day, one with an hour by a handful. Only batch sizes depend on it, never the result.
 */
class YieldEstimate {
  /** Per kind (0: no birth hour, 1: with one): a prior, weighted as this many keys. */
  private static readonly PRIOR = [12, 0.3];
  private static readonly PRIOR_WEIGHT = 4;
  private readonly keys = [0, 0];
  private readonly found = [0, 0];

  expected(key: number): number {
    const kind = kindOf(key);
    const w = YieldEstimate.PRIOR_WEIGHT;
    return (this.found[kind]! + YieldEstimate.PRIOR[kind]! * w) / (this.keys[kind]! + w);
  }

  learn(keys: WalkedKey[], found: Pick[]): void {
    for (const k of keys) this.keys[kindOf(k.key)]! += 1;
    for (const p of found) this.found[kindOf(p.sajuKey)]! += 1;
  }
}

function kindOf(key: number): 0 | 1 {
  try {
    return chartFromKey(key).pillars.hour === null ? 0 : 1;
  } catch {
    return 1;
  }
}
