import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, Gender } from '../db/schema.js';

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

/** No match row of the pair, in either direction (one probe of the pair's unique index). */
const noMatchWith = (userId: number) => sql<boolean>`NOT EXISTS (
  SELECT 1 FROM matches m
  WHERE LEAST(m.requester_id, m.receiver_id) = LEAST(${userId}::int, u.id)
    AND GREATEST(m.requester_id, m.receiver_id) = GREATEST(${userId}::int, u.id))`;

/** No block either way (two primary-key probes). */
const noBlockWith = (userId: number) => sql<boolean>`
  NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${userId} AND b.blocked_id = u.id)
  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = ${userId})`;

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
      AND ${noBlockWith(seeker.id)}`.execute(db);
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

/**
 * Stores the day's set unless one exists: the set row is the claim, so of two first calls racing
 * on the same day the second waits for the first's commit and keeps the first's set. Sets older
 * than `keepFrom` go (their entries cascade). Returns whether this call's set was stored.
 */
export async function storeDailySet(
  trx: Transaction<Database>,
  userId: number,
  date: string,
  entries: DailyEntry[],
  keepFrom: string,
): Promise<boolean> {
  const claimed = await trx
    .insertInto('daily_recommendation_sets')
    .values({ user_id: userId, kst_date: date })
    .onConflict((oc) => oc.columns(['user_id', 'kst_date']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!claimed) return false;
  if (entries.length > 0) {
    await trx
      .insertInto('daily_recommendations')
      .values(entries.map((e, position) => ({ user_id: userId, kst_date: date, position, candidate_id: e.candidateId, score: e.score })))
      .execute();
  }
  await trx.deleteFrom('daily_recommendation_sets').where('user_id', '=', userId).where('kst_date', '<', keepFrom).execute();
  return true;
}

export async function dailySetExists(db: Executor, userId: number, date: string): Promise<boolean> {
  const row = await db
    .selectFrom('daily_recommendation_sets')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('kst_date', '=', date)
    .executeTakeFirst();
  return row !== undefined;
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

/**
 * The day's set in its stored order, minus anyone the user has since requested, been requested
 * by, declined, matched or blocked (either way); deleted accounts cascade out.
 */
export async function readDailySet(db: Executor, userId: number, date: string, limit: number): Promise<RecommendedRow[]> {
  const result = await sql<RecommendedRow>`
    SELECT u.id, u.name, u.birth_date, u.location, u.bio, u.profile_img_url, r.score
    FROM daily_recommendations r
    JOIN users u ON u.id = r.candidate_id
    WHERE r.user_id = ${userId} AND r.kst_date = ${date}
      AND ${noMatchWith(userId)}
      AND ${noBlockWith(userId)}
    ORDER BY r.position
    LIMIT ${limit}`.execute(db);
  return result.rows;
}
