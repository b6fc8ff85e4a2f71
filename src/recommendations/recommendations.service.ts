import type { Db } from '../db/database.js';
import { internationalAge, koreanDate } from '../lib/time.js';
import type { ProfileRow } from '../auth/accounts.repo.js';
import { DAILY_SET_SIZE, dailyOrder, pickDailySet } from './daily-selection.js';
import type { KeyRankings } from './key-rankings.js';
import { koreanDateMinus } from '../lib/korean-day.js';
import {
  eligibleWithKeys,
  readDailySet,
  shownOn,
  storeDailySet,
  type DailyEntry,
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
  ) {}

  async today(caller: ProfileRow, limit: number) {
    const date = koreanDate(this.now());
    const stored = await readDailySet(this.db, caller.id, date, limit);
    const rows = stored ?? (await this.fixDailySet(caller, date, limit));
    return rows.map((row) => present(row, date));
  }

  private async fixDailySet(caller: ProfileRow, date: string, limit: number): Promise<RecommendedRow[]> {
    const entries = await this.pick(caller, date);
    const keepFrom = koreanDateMinus(date, ROTATION_DAYS);
    const stored = await storeDailySet(this.db, caller.id, date, entries, keepFrom, limit);
    // null: a concurrent first call fixed the day's set first; everyone gets that one.
    return stored ?? (await readDailySet(this.db, caller.id, date, limit)) ?? [];
  }

  private async pick(caller: ProfileRow, date: string): Promise<DailyEntry[]> {
    // Independent look-ups: run them side by side (separate pool connections on PostgreSQL).
    const [shown, ranking] = await Promise.all([
      shownOn(this.db, caller.id, koreanDateMinus(date, ROTATION_DAYS), koreanDateMinus(date, 1)),
      this.rankings.forKey(caller.saju_key),
    ]);
    const options = {
      size: DAILY_SET_SIZE,
      recentlyShown: new Set(shown),
      order: dailyOrder(caller.id, date),
      eligible: (keys: Int32Array) => eligibleWithKeys(this.db, caller, keys),
    };
    const best = await pickDailySet(ranking, options);
    return best ?? (await pickDailySet(await this.rankings.full(caller.saju_key), options)) ?? [];
  }
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
