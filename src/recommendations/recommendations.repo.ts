import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, Gender } from '../db/schema.js';
import { isMatchOfPair } from '../db/user-pair.js';
import { notBlockedEitherWay } from '../safety/blocks.repo.js';

type Executor = Db | Transaction<Database>;

export interface Seeker {
  id: number;
  gender: Gender;
  interested_in: Gender[];
}

export interface EligibleRow {
  id: number;
  saju_key: number;
}

const candidate = sql.ref<number>('u.id');

/** No match row of the pair, in either direction (one probe of the pair's unique index). */
const noMatchWith = (userId: number) => sql<boolean>`NOT EXISTS (SELECT 1 FROM matches m WHERE ${isMatchOfPair('m', userId, candidate)})`;

/**
 * The people with one of `keys` whom the seeker may be recommended: interest both ways, not the
 * seeker, no match row with them either way, no block either way. Runs on the (saju_key, gender)
 * index; deleted accounts are simply gone from users.
 */
export async function eligibleWithKeys(db: Executor, seeker: Seeker, keys: ArrayLike<number>): Promise<EligibleRow[]> {
  if (seeker.interested_in.length === 0 || keys.length === 0) return [];
  const result = await sql<EligibleRow>`
    SELECT u.id, u.saju_key FROM users u
    WHERE u.saju_key = ANY(${Array.from(keys)}::int4[])
      AND u.gender = ANY(${seeker.interested_in}::text[]::user_gender[])
      AND ${seeker.gender}::text = ANY(u.interested_in)
      AND u.id <> ${seeker.id}
      AND ${noMatchWith(seeker.id)}
      AND ${notBlockedEitherWay(seeker.id, candidate)}`.execute(db);
  return result.rows;
}

/** Who was in the user's sets of the given days (to vary the next day's set). */
export async function shownOn(db: Executor, userId: number, fromDate: string, toDate: string): Promise<number[]> {
  const rows = await db
    .selectFrom('daily_recommendations')
    .select('candidate_id')
    .where('user_id', '=', userId)
    .where('kst_date', '>=', fromDate)
    .where('kst_date', '<=', toDate)
    .execute();
  return rows.map((r) => r.candidate_id);
}

export interface DailyEntry {
  candidateId: number;
  score: number;
}

export interface RecommendedRow {
  id: number;
  name: string;
  birth_date: string;
  location: string | null;
  bio: string | null;
  profile_img_url: string | null;
  score: number;
}

/** The day's set, or null when none was fixed yet for that day. */
export type DailySet = RecommendedRow[] | null;

/** A set row joined with its visible entries: no row = no set; one row of NULLs = an empty set. */
type SetRow = { [K in keyof RecommendedRow]: RecommendedRow[K] | null };

function toDailySet(rows: SetRow[]): DailySet {
  if (rows.length === 0) return null;
  return rows.filter((r): r is RecommendedRow => r.id !== null);
}

/**
 * The day's set in its stored order, minus anyone the user has since requested, been requested
 * by, declined, matched or blocked (either way); deleted accounts cascade out. One round trip
 * answers both "is there a set?" and "who is in it?" (function: migration 0006).
 */
export async function readDailySet(db: Executor, userId: number, date: string, limit: number): Promise<DailySet> {
  const result = await sql<SetRow>`SELECT * FROM daily_recommendations_visible(${userId}, ${date}::date, ${limit})`.execute(db);
  return toDailySet(result.rows);
}

/**
 * Fixes the day's set and returns its first `limit` people, in one statement: the set row is the
 * claim, so of two first calls racing on the same day the second waits for the first's commit,
 * stores nothing and gets null (it then reads the winner's set). Sets older than `keepFrom` go
 * (their entries cascade).
 */
export async function storeDailySet(
  db: Executor,
  userId: number,
  date: string,
  entries: DailyEntry[],
  keepFrom: string,
  limit: number,
): Promise<DailySet> {
  const result = await sql<SetRow>`
    WITH claim AS (
      INSERT INTO daily_recommendation_sets (user_id, kst_date) VALUES (${userId}, ${date})
      ON CONFLICT DO NOTHING
      RETURNING user_id, kst_date
    ), stored AS (
      INSERT INTO daily_recommendations (user_id, kst_date, position, candidate_id, score)
      SELECT c.user_id, c.kst_date, p.ord - 1, p.candidate_id, p.score
      FROM claim c
      CROSS JOIN unnest(${entries.map((e) => e.candidateId)}::int4[], ${entries.map((e) => e.score)}::int2[])
        WITH ORDINALITY AS p(candidate_id, score, ord)
      RETURNING position, candidate_id, score
    ), pruned AS (
      DELETE FROM daily_recommendation_sets d USING claim c WHERE d.user_id = c.user_id AND d.kst_date < ${keepFrom}
    )
    SELECT x.id, x.name, x.birth_date, x.location, x.bio, x.profile_img_url, x.score
    FROM claim
    LEFT JOIN LATERAL (
      SELECT u.id, u.name, u.birth_date, u.location, u.bio, u.profile_img_url, st.score, st.position
      FROM stored st JOIN users u ON u.id = st.candidate_id
      ORDER BY st.position
      LIMIT ${limit}
    ) x ON true
    ORDER BY x.position`.execute(db);
  return toDailySet(result.rows);
}
/**
 * Whether the two people are matched now: their pair's match row has status `matched` (a request
 * both sides accepted; not requested, declined, or ended). What decides if one may see the other's
 * full saju (birth data stays private until then).
 */
export async function pairMatched(db: Executor, a: number, b: number): Promise<boolean> {
  const row = await db
    .selectFrom('matches')
    .select('id')
    .where(isMatchOfPair('matches', a, b))
    .where('status', '=', 'matched')
    .executeTakeFirst();
  return row !== undefined;
}

