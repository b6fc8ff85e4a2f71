import { sql, type Kysely } from 'kysely';
import { DAILY_SET_FUNCTION } from '../../recommendations/daily-set.sql.js';
import { DAILY_SET_FUNCTION as DAILY_SET_FUNCTION_0006 } from './0006-daily-set-function.js';

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
  await sql.raw(DAILY_SET_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The function as before (the same rules as 0006's text, without the preference columns).
  await sql.raw(DAILY_SET_FUNCTION_0006.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
  await sql`CREATE INDEX users_saju_key_gender_idx ON users (saju_key, gender) INCLUDE (id, interested_in)`.execute(db);
  await sql`DROP INDEX users_discovery_idx, users_partition_idx`.execute(db);
  await sql`DROP TABLE user_activity, cancelled_match_requests`.execute(db);
  await sql`
    ALTER TABLE users
      DROP CONSTRAINT users_age_range_check, DROP COLUMN region, DROP COLUMN preferred_regions,
      DROP COLUMN age_min, DROP COLUMN age_max, DROP COLUMN discoverable, DROP COLUMN show_activity`.execute(db);
  await sql`ALTER TABLE matches DROP COLUMN unmatched_at, DROP COLUMN unmatched_by`.execute(db);
}
