import { sql, type Kysely } from 'kysely';
import { DAILY_SET_FUNCTION_0009 } from './0009-feature-sql-files.js';

/** The 17 시/도 codes of `users.region` and `users.preferred_regions` (see src/users/regions.ts). */
const REGION_LIST = `'seoul', 'busan', 'daegu', 'incheon', 'gwangju', 'daejeon', 'ulsan', 'sejong', 'gyeonggi',
  'gangwon', 'chungbuk', 'chungnam', 'jeonbuk', 'jeonnam', 'gyeongbuk', 'gyeongnam', 'jeju'`;

/**
 * Ending matches, and discovery preferences.
 *
 * - Unmatch keeps the match row (it is what keeps the pair apart for good: the recommendation walk
 *   and requests find the pair's row) and its chat and messages (moderation evidence), and turns
 *   it into `declined` with `unmatched_at`/`unmatched_by` set: the seed's `match_status` enum stays
 *   as it is, and every check for "a matched match" (chat access, the chat writer's function, the
 *   chat list, the birth-data rule) excludes an unmatched pair without knowing about unmatching.
 *   The match lists leave these rows out; requests and answers treat them as not found.
 * - Cancelling a request deletes its row (the pair may request again); `cancelled_match_requests`
 *   keeps when it had been made, so that the daily request cap still counts it.
 * - Discovery preferences on users: `region` (NULL unknown), `preferred_regions` ('{}' anywhere),
 *   `age_min`/`age_max` (NULL: no bound), `discoverable`, `show_activity`. Column defaults are
 *   constants, so adding them rewrites nothing.
 * - `user_activity`: when each person last used the API (written at most about once an hour per
 *   person and process), beside users so that the frequent write touches a narrow table and not the
 *   users row with its indexes.
 * - The recommendation walk's index: by chart key, gender and region, only discoverable people,
 *   with every column the eligibility test reads (index-only scans). It replaces
 *   users_saju_key_gender_idx, which served the walk alone. And the partition index: the same
 *   people by (gender, region, birth date), for the pool of a seeker with narrow preferences.
 * - `daily_recommendations_visible` also drops, at read time, people in the stored set who have
 *   turned `discoverable` off or whose own preferences no longer accept the caller.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE matches
      ADD COLUMN unmatched_at timestamptz,
      ADD COLUMN unmatched_by integer REFERENCES users (id) ON DELETE SET NULL`.execute(db);
  await sql`
    CREATE TABLE cancelled_match_requests (
      requester_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      requested_at timestamptz NOT NULL,
      cancelled_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX cancelled_match_requests_requester_idx ON cancelled_match_requests (requester_id, requested_at)`.execute(db);

  await sql`
    ALTER TABLE users
      ADD COLUMN region varchar(16) CHECK (region IN (${sql.raw(REGION_LIST)})),
      ADD COLUMN preferred_regions text[] NOT NULL DEFAULT '{}'
        CHECK (preferred_regions <@ ARRAY[${sql.raw(REGION_LIST)}]::text[] AND cardinality(preferred_regions) <= 17),
      ADD COLUMN age_min smallint CHECK (age_min BETWEEN 19 AND 100),
      ADD COLUMN age_max smallint CHECK (age_max BETWEEN 19 AND 100),
      ADD COLUMN discoverable boolean NOT NULL DEFAULT true,
      ADD COLUMN show_activity boolean NOT NULL DEFAULT true,
      ADD CONSTRAINT users_age_range_check CHECK (age_min <= age_max)`.execute(db);

  await sql`
    CREATE TABLE user_activity (
      user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      last_active_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE INDEX users_discovery_idx ON users (saju_key, gender, region)
      INCLUDE (id, birth_date, interested_in, age_min, age_max, preferred_regions)
      WHERE discoverable`.execute(db);
  await sql`DROP INDEX users_saju_key_gender_idx`.execute(db);
  // The pool of a seeker with narrow preferences: discoverable people by gender, region and birth
  // date (the seeker's own conditions, as index ranges), with the columns of the other side's
  // conditions and the chart key included (index-only).
  await sql`
    CREATE INDEX users_partition_idx ON users (gender, region, birth_date)
      INCLUDE (saju_key, interested_in, age_min, age_max, preferred_regions)
      WHERE discoverable`.execute(db);

  // The repeat call's function, now also applying the preferences (src/recommendations/daily-set.sql.ts).
  await sql.raw(DAILY_SET_FUNCTION_0010).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The function as 0009 left it (without the preference columns), before the columns go.
  await sql.raw(DAILY_SET_FUNCTION_0009).execute(db);
  await sql`CREATE INDEX users_saju_key_gender_idx ON users (saju_key, gender) INCLUDE (id, interested_in)`.execute(db);
  await sql`DROP INDEX users_discovery_idx, users_partition_idx`.execute(db);
  await sql`DROP TABLE user_activity, cancelled_match_requests`.execute(db);
  await sql`
    ALTER TABLE users
      DROP CONSTRAINT users_age_range_check, DROP COLUMN region, DROP COLUMN preferred_regions,
      DROP COLUMN age_min, DROP COLUMN age_max, DROP COLUMN discoverable, DROP COLUMN show_activity`.execute(db);
  await sql`ALTER TABLE matches DROP COLUMN unmatched_at, DROP COLUMN unmatched_by`.execute(db);
}

// Frozen: the exact text this migration ran (from src/recommendations/daily-set.sql.ts as of 15467ac). The file in src/ may evolve;
// a change to it needs a new migration, never an edit here.
export const DAILY_SET_FUNCTION_0010 = `
CREATE OR REPLACE FUNCTION daily_recommendations_visible(p_user integer, p_date date, p_limit integer)
RETURNS TABLE (id integer, name varchar, birth_date date, location varchar, bio text, profile_img_url varchar, score smallint)
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT x.id, x.name, x.birth_date, x.location, x.bio, x.profile_img_url, x.score
    FROM daily_recommendation_sets s
    JOIN users me ON me.id = s.user_id
    -- the caller's international age on p_date, as src/lib/time.ts internationalAge counts it
    CROSS JOIN LATERAL (
      SELECT extract(year FROM p_date)::int - extract(year FROM me.birth_date)::int
        - CASE WHEN to_char(p_date, 'MMDD') < to_char(me.birth_date, 'MMDD') THEN 1 ELSE 0 END AS years
    ) my
    LEFT JOIN LATERAL (
      SELECT u.id, u.name, u.birth_date, u.location, u.bio, u.profile_img_url, r.score, r.position
      FROM daily_recommendations r
      JOIN users u ON u.id = r.candidate_id
      WHERE r.user_id = s.user_id AND r.kst_date = s.kst_date
        -- still discoverable, not suspended, and their own preferences still accept the caller
        AND u.discoverable
        AND (u.suspended_until IS NULL OR u.suspended_until <= now())
        AND me.gender::text = ANY(u.interested_in)
        AND (u.age_min IS NULL OR my.years >= u.age_min)
        AND (u.age_max IS NULL OR my.years <= u.age_max)
        AND (cardinality(u.preferred_regions) = 0 OR me.region = ANY(u.preferred_regions))
        AND NOT EXISTS (SELECT 1 FROM matches m WHERE (LEAST("m"."requester_id", "m"."receiver_id") = LEAST(p_user, "u"."id") AND GREATEST("m"."requester_id", "m"."receiver_id") = GREATEST(p_user, "u"."id")))
        AND (NOT EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = p_user AND bl.blocked_id = "u"."id") AND NOT EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = "u"."id" AND bl.blocked_id = p_user))
      ORDER BY r.position
      LIMIT p_limit
    ) x ON true
    WHERE s.user_id = p_user AND s.kst_date = p_date
    ORDER BY x.position;
END
$fn$`;
