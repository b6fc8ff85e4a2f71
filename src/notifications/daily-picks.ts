import { sql } from 'kysely';
import { isActiveAccount } from '../auth/account-status.js';
import { PROFILE_COLUMNS } from '../auth/accounts.repo.js';
import type { Db } from '../db/database.js';
import { koreanDate } from '../lib/time.js';
import { KeyRankings } from '../recommendations/key-rankings.js';
import { SajuKeyUniverse } from '../recommendations/key-universe.js';
import { RecommendationsService } from '../recommendations/recommendations.service.js';

const HOUR_MS = 3_600_000;
const KST_OFFSET_MS = 9 * HOUR_MS;

/** The instant of today's (or, past it, tomorrow's) picks hour in Korea, as seen at `now`. */
export function nextPicksAt(now: Date, hour: number): Date {
  const kst = new Date(now.getTime() + KST_OFFSET_MS);
  const at = Date.UTC(kst.getUTCFullYear(), kst.getUTCMonth(), kst.getUTCDate(), hour) - KST_OFFSET_MS;
  return new Date(at > now.getTime() ? at : at + 24 * HOUR_MS);
}

/**
 * `daily_picks`: "오늘의 추천이 도착했어요" once per Korean day at DAILY_PICKS_HOUR.
 *
 * The sets are built ahead: in the hour before, each person with a device gets a build job at a
 * random moment of that hour (spread, so that the picks hour is no rush of first calls of the
 * day); the job fixes their set for the Korean date of the picks hour exactly as their first
 * `GET /api/recommendations` would. At the hour, one outbox row per person with a live device
 * whose set for today is stored (and not empty), and who is not suspended; the usual relay and
 * workers send them.
 */
export class DailyPicks {
  private readonly recommendations: (at: Date) => RecommendationsService;
  private readonly universe: SajuKeyUniverse;

  constructor(
    private readonly db: Db,
    readonly hour: number,
  ) {
    this.universe = new SajuKeyUniverse(db);
    const rankings = new KeyRankings(db, this.universe);
    this.recommendations = (at) => new RecommendationsService(db, rankings, () => at);
  }

  /** The people to build a set for before `at`: a live device, an active account, no set for that day yet. */
  async peopleToPrepare(at: Date): Promise<number[]> {
    const date = koreanDate(at);
    const rows = await this.db
      .selectFrom('devices as d')
      .innerJoin('auth_sessions as s', 's.id', 'd.session_id')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      .select('d.user_id')
      .distinct()
      .where('s.revoked_at', 'is', null)
      .where(isActiveAccount('u'))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('daily_recommendation_sets as ds').select('ds.user_id').whereRef('ds.user_id', '=', 'd.user_id').where('ds.kst_date', '=', date))),
      )
      .orderBy('d.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Fixes the person's set for the Korean date of `at` (nothing if it exists or they are gone). */
  async build(userId: number, at: Date): Promise<boolean> {
    const profile = await this.db
      .selectFrom('users as u')
      .select(PROFILE_COLUMNS.map((c) => `u.${c}` as const))
      .where('u.id', '=', userId)
      .where(isActiveAccount('u'))
      .executeTakeFirst();
    if (!profile) return false;
    await this.universe.sync(); // chart keys registered since the last build
    await this.recommendations(at).today(profile, 1);
    return true;
  }

  /** Writes today's daily_picks outbox rows (once per person per Korean day); returns how many. */
  async enqueue(at: Date): Promise<number> {
    const date = koreanDate(at);
    const result = await this.db
      .insertInto('push_outbox')
      .columns(['user_id', 'kind'])
      .expression((eb) =>
        eb
          .selectFrom('devices as d')
          .innerJoin('auth_sessions as s', (join) => join.onRef('s.id', '=', 'd.session_id').on('s.revoked_at', 'is', null))
          .innerJoin('users as u', (join) => join.onRef('u.id', '=', 'd.user_id').on(isActiveAccount('u')))
          .innerJoin('daily_recommendation_sets as ds', (join) => join.onRef('ds.user_id', '=', 'd.user_id').on('ds.kst_date', '=', date))
          .distinct()
          .select(['d.user_id', sql.lit('daily_picks').as('kind')])
          .where((w) => w.exists(w.selectFrom('daily_recommendations as r').select(w.lit(1).as('one')).whereRef('r.user_id', '=', 'd.user_id').where('r.kst_date', '=', date)))
          .where((w) =>
            w.not(w.exists(w.selectFrom('push_outbox as o').select(w.lit(1).as('one')).whereRef('o.user_id', '=', 'd.user_id').where('o.kind', '=', 'daily_picks'))),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }
}
