import { createHash } from 'node:crypto';
import { sql, type CompiledQuery, type RawBuilder, type Transaction } from 'kysely';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { isMatchOfPair } from '../db/user-pair.js';
import { notBlockedEitherWay } from '../safety/blocks.repo.js';
import { REGIONS } from '../users/regions.js';
import { birthDateBounds, seekerAge, type Seeker } from './discovery.js';

type Executor = Db | Transaction<Database>;

/** Runs a query as a named prepared statement (DatabaseHandle.prepared). */
export type PreparedRunner = DatabaseHandle['prepared'];

const statementNames = new Map<string, string>();

/**
 * The walk's queries differ by the seeker's kind of preferences (a few SQL texts, every value a
 * parameter) and run several times per first call of the day: as named prepared statements each
 * pool connection plans each text once (planning took as long as running them). The name is
 * derived from the text, so one name never means two texts.
 */
async function run<R>(db: Executor, query: RawBuilder<R>, prefix: string, prepared: PreparedRunner | undefined): Promise<R[]> {
  // Inside a transaction the query must run on its connection, not on any pool connection.
  if (!prepared || db.isTransaction) return (await query.execute(db)).rows;
  const compiled = query.compile(db);
  let name = statementNames.get(compiled.sql);
  if (name === undefined) {
    name = `${prefix}_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 256) statementNames.set(compiled.sql, name);
  }
  return prepared(name, compiled, compiled.parameters);
}

export interface EligibleRow {
  id: number;
  saju_key: number;
}

const candidate = sql.ref<number>('u.id');

/** No match row of the pair, in either direction (one probe of the pair's unique index). */
const noMatchWith = (userId: number) => sql<boolean>`NOT EXISTS (SELECT 1 FROM matches m WHERE ${isMatchOfPair('m', userId, candidate)})`;

/**
 * SQL conditions on the users row `u`: the two fit each other's preferences on `today` (Korean
 * date). Gender both ways (interested_in); the candidate's age in the seeker's range and the
 * seeker's age in theirs (international age, bounds inclusive); the candidate's region among the
 * seeker's preferred regions and the seeker's among theirs, where the other restricts them (a
 * region of NULL fits only someone who accepts anywhere); the candidate discoverable. The seeker's
 * own conditions come first: with `region = ANY(…)` they are the index's keys.
 */
export function mutualFitSql(seeker: Seeker, today: string, region: 'preferred' | 'known' | 'unknown' = 'preferred') {
  const { after, upTo } = birthDateBounds(seeker.age_min, seeker.age_max, today);
  const age = seekerAge(seeker, today);
  const regionSql =
    region === 'unknown'
      ? sql`AND u.region IS NULL`
      : region === 'known'
        ? sql`AND u.region = ANY(${[...REGIONS]}::text[])`
        : seeker.preferred_regions.length > 0
          ? sql`AND u.region = ANY(${seeker.preferred_regions}::text[])`
          : sql``;
  // One wanted gender (most people) as a scalar: then it is an index condition of
  // users_discovery_idx after the chart keys (PostgreSQL left the array form to a filter, reading
  // every gender's entries of each key: ~3.5× the tuples of a walk's batch).
  const genders =
    seeker.interested_in.length === 1
      ? sql`u.gender = ${seeker.interested_in[0]}::text::user_gender`
      : sql`u.gender = ANY(${seeker.interested_in}::text[]::user_gender[])`;
  return sql<boolean>`u.discoverable
      AND ${genders}
      ${regionSql}
      ${after === null ? sql`` : sql`AND u.birth_date > ${after}::date`}
      ${upTo === null ? sql`` : sql`AND u.birth_date <= ${upTo}::date`}
      AND ${seeker.gender}::text = ANY(u.interested_in)
      AND (u.age_min IS NULL OR u.age_min <= ${age})
      AND (u.age_max IS NULL OR u.age_max >= ${age})
      AND (cardinality(u.preferred_regions) = 0 OR ${seeker.region}::text = ANY(u.preferred_regions))`;
}

/**
 * The people with one of `keys` whom the seeker may be recommended: the two fit each other's
 * preferences (mutualFitSql), not the seeker, no match row with them either way (an unmatched
 * pair keeps its row), no block either way. Runs on users_discovery_idx alone (chart key, gender,
 * region, discoverable people only, with the other columns included); deleted accounts are gone.
 */
export async function eligibleWithKeys(
  db: Executor,
  seeker: Seeker,
  today: string,
  keys: ArrayLike<number>,
  prepared?: PreparedRunner,
): Promise<EligibleRow[]> {
  if (seeker.interested_in.length === 0 || keys.length === 0) return [];
  const query = sql<EligibleRow>`
    SELECT u.id, u.saju_key FROM users u
    WHERE u.saju_key = ANY(${Array.from(keys)}::int4[])
      AND ${mutualFitSql(seeker, today)}
      AND u.id <> ${seeker.id}
      -- not suspended or banned now (a probe of the tiny users_suspended_idx)
      AND NOT EXISTS (SELECT 1 FROM users s WHERE s.id = u.id AND s.suspended_until IS NOT NULL AND s.suspended_until > now())
      AND ${noMatchWith(seeker.id)}
      AND ${notBlockedEitherWay(seeker.id, candidate)}`;
  return run(db, query, 'eligible', prepared);
}

/**
 * The chart keys of everyone who fits the seeker both ways (mutualFitSql: the pool, before the
 * match and block exclusions), or null when the pool has more than `cap` people. Runs on
 * users_partition_idx — discoverable people by (gender, region, birth date), with the acceptance
 * columns included — so it reads only the seeker's genders × regions × birth dates, and at most
 * cap + 1 index entries (for a seeker of gender `other`, on users_accepts_other_idx: only people
 * who accept them, by region and birth date). For an "anywhere" seeker the regions are the 17 codes and, separately,
 * NULL (one index range each, where no region condition would scan a whole gender).
 */
export async function poolKeys(
  db: Executor,
  seeker: Seeker,
  today: string,
  cap: number,
  prepared?: PreparedRunner,
): Promise<Int32Array | null> {
  if (seeker.interested_in.length === 0) return new Int32Array(0);
  // A seeker whom few accept (`other`) is found from the accepting side: the literal condition
  // (implied by mutualFitSql's) matches users_accepts_other_idx (migration 0014), also in a
  // prepared statement's generic plan.
  const rare = seeker.gender === 'other' ? sql`'other' = ANY(u.interested_in) AND ` : sql``;
  const branch = (region: 'preferred' | 'known' | 'unknown') =>
    // (The seeker is not left out here: their own key would only cost the walk one look-up.)
    sql`SELECT u.saju_key FROM users u WHERE ${rare}${mutualFitSql(seeker, today, region)}`;
  const people =
    seeker.preferred_regions.length > 0 ? branch('preferred') : sql`${branch('known')} UNION ALL ${branch('unknown')}`;
  const query = sql<{ keys: number[] | null; n: number }>`
    SELECT array_agg(DISTINCT p.saju_key) AS keys, count(*)::int AS n FROM (${people} LIMIT ${cap + 1}) p`;
  const row = (await run(db, query, 'pool_keys', prepared))[0]!;
  if (row.n > cap) return null;
  return Int32Array.from(row.keys ?? []);
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
export async function readDailySet(
  db: Executor,
  userId: number,
  date: string,
  limit: number,
  prepared?: PreparedRunner,
): Promise<DailySet> {
  if (!prepared || db.isTransaction) {
    const result = await sql<SetRow>`SELECT * FROM daily_recommendations_visible(${userId}, ${date}::date, ${limit})`.execute(db);
    return toDailySet(result.rows);
  }
  // The repeat call's hot path: compiled once, a named prepared statement per pool connection
  // (no query building per call, and PostgreSQL neither parses nor plans it again).
  dailySetQuery ??= sql<SetRow>`SELECT * FROM daily_recommendations_visible(${0}, ${'1970-01-01'}::date, ${0})`.compile(db);
  return toDailySet(await prepared('daily_set_v1', dailySetQuery, [userId, date, limit]));
}

let dailySetQuery: CompiledQuery<SetRow> | undefined;

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

