import type { Db } from '../db/database.js';
import { internationalAge, koreanDate } from '../lib/time.js';
import type { ProfileRow } from '../auth/accounts.repo.js';
import { DAILY_SET_SIZE, dailyOrder, pickDailySet } from './daily-selection.js';
import { keyAgeFilter } from './discovery.js';
import { KeyRanking } from './key-ranking.js';
import type { PoolCensus } from './pool-census.js';
import type { KeyRankings } from './key-rankings.js';
import { koreanDateMinus } from '../lib/korean-day.js';
import {
  eligibleWithKeys,
  poolKeys,
  readDailySet,
  shownOn,
  storeDailySet,
  type DailyEntry,
  type PreparedRunner,
  type RecommendedRow,
} from './recommendations.repo.js';

/** People shown on this many previous days make way for others (and fill up only if needed). */
export const ROTATION_DAYS = 2;

/**
 * 오늘의 추천. The first call of a Korean day picks the day's set (at most 50 people) and stores
 * it; every later call that day reads it back in the same order, minus whoever has since been
 * requested, declined, matched or blocked. See docs/internals.md, "Matches, safety and recommendations".
 */
export class RecommendationsService {
  constructor(
    private readonly db: Db,
    private readonly rankings: KeyRankings,
    private readonly now: () => Date,
    /** Pool sizes by gender, region and birth year; without it every seeker with narrow preferences probes. */
    private readonly census?: PoolCensus,
    private readonly options: {
      /** Pools up to this many people are ranked for the seeker alone (tests lower it). */
      poolCap?: number;
      /** Runs the walk's queries as named prepared statements (DatabaseHandle.prepared). */
      prepared?: PreparedRunner;
    } = {},
  ) {}

  private get poolCap(): number {
    return this.options.poolCap ?? POOL_CAP;
  }

  async today(caller: ProfileRow, limit: number) {
    const date = koreanDate(this.now());
    const stored = await readDailySet(this.db, caller.id, date, limit, this.options.prepared);
    const rows = stored ?? (await this.fixDailySet(caller, date, limit));
    return rows.map((row) => present(row, date));
  }

  private async fixDailySet(caller: ProfileRow, date: string, limit: number): Promise<RecommendedRow[]> {
    const entries = await this.pick(caller, date);
    const keepFrom = koreanDateMinus(date, ROTATION_DAYS);
    const stored = await storeDailySet(this.db, caller.id, date, entries, keepFrom, limit);
    // null: a concurrent first call fixed the day's set first; everyone gets that one.
    return stored ?? (await readDailySet(this.db, caller.id, date, limit, this.options.prepared)) ?? [];
  }

  private async pick(caller: ProfileRow, date: string): Promise<DailyEntry[]> {
    // Independent look-ups: run them side by side (separate pool connections on PostgreSQL).
    const [shown, { ranking, probed }] = await Promise.all([
      shownOn(this.db, caller.id, koreanDateMinus(date, ROTATION_DAYS), koreanDateMinus(date, 1)),
      this.rankingFor(caller, date),
    ]);
    const options = {
      size: DAILY_SET_SIZE,
      recentlyShown: new Set(shown),
      order: dailyOrder(caller.id, date),
      // Chart keys nobody of the wanted ages can have are skipped without asking the database.
      keyFilter: keyAgeFilter(caller.age_min, caller.age_max, date),
      eligible: (keys: Int32Array) => eligibleWithKeys(this.db, caller, date, keys, this.options.prepared),
    };
    const best = await pickDailySet(ranking, options);
    if (best) return best;
    // The shared ranking ran dry: fewer people fit both ways than the census (an upper bound: it
    // counts genders, regions and birth years, not what the others accept) suggested. Their pool
    // is then usually small, and ranking it costs a few ms where scoring the whole universe costs
    // ~100 ms; the result is the same (keys outside the pool bring nobody).
    if (!probed) {
      const pool = await this.poolRanking(caller, date);
      const fromPool = pool && (await pickDailySet(pool, options));
      if (fromPool) return fromPool;
    }
    return (await pickDailySet(await this.rankings.full(caller.saju_key, ranking), options)) ?? [];
  }

  /**
   * The chart keys to walk. A seeker whose preferences leave few people (a small region, a narrow
   * or uncommon age range) gets a ranking of exactly the keys of the people who fit them both ways
   * (at most POOL_CAP people: a few thousand keys, scored in a few ms, every one bringing someone),
   * so the walk never runs out of ranked keys and never has to score the whole universe. Everyone
   * else walks their chart key's shared ranking of the best keys, which at their pool's density
   * brings 50 people within its first few hundred keys.
   */
  private async rankingFor(caller: ProfileRow, date: string): Promise<{ ranking: KeyRanking; probed: boolean }> {
    const estimate = this.census?.estimate(caller, date, this.poolCap) ?? null;
    if (estimate === null ? mayHaveSmallPool(caller) : estimate <= this.poolCap) {
      const pool = await this.poolRanking(caller, date);
      if (pool) return { ranking: pool, probed: true };
      return { ranking: await this.rankings.forKey(caller.saju_key), probed: true };
    }
    return { ranking: await this.rankings.forKey(caller.saju_key), probed: false };
  }

  /** The complete ranking of the keys of everyone who fits the caller both ways, or null when they are more than poolCap. */
  private async poolRanking(caller: ProfileRow, date: string): Promise<KeyRanking | null> {
    const keys = await poolKeys(this.db, caller, date, this.poolCap, this.options.prepared);
    return keys ? KeyRanking.compute(caller.saju_key, keys, 0, Number.POSITIVE_INFINITY) : null;
  }
}

/** Pools up to this many people are ranked key by key for the seeker alone (see rankingFor). */
export const POOL_CAP = 10_000;

/** Before the census is read: without a region restriction and with 20 or more years of ages, the pool is never small. */
function mayHaveSmallPool(caller: ProfileRow): boolean {
  if (caller.preferred_regions.length > 0) return true;
  if (caller.age_min === null && caller.age_max === null) return false;
  return (caller.age_max ?? 100) - (caller.age_min ?? 19) < 20;
}

function present(row: RecommendedRow, date: string) {
  return {
    user_id: row.id,
    name: row.name,
    age: internationalAge(row.birth_date, date),
    location: row.location,
    bio: row.bio,
    profile_img_url: row.profile_img_url,
    compatibility_score: row.score,
  };
}
