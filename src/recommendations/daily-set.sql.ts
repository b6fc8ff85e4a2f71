import { sql } from 'kysely';
import { sqlText } from '../db/sql-text.js';
import { isMatchOfPair } from '../db/user-pair.js';
import { notBlockedEitherWay } from '../safety/blocks.repo.js';

const me = sql.raw<number>('p_user');
const candidate = sql.ref<number>('u.id');

/**
 * `daily_recommendations_visible(user, date, limit)`: today's recommendations as stored, called by
 * readDailySet (recommendations.repo.ts) on the repeat call of the day (the hot path). It
 * enforces that a stored set shows nobody the user has since requested, been requested by,
 * declined, matched or unmatched (a match row of the pair, either direction), nobody blocked either
 * way, and nobody who has since turned `discoverable` off, been suspended, or changed their own
 * preferences so that they no longer accept the user (migration 0010); deleted accounts cascade
 * out of the set. No row: no set was fixed for that day yet; one row of
 * NULLs: the set is empty.
 *
 * Why a function: a PL/pgSQL function keeps its query plan for the session, so the lateral join
 * with its exclusion probes is planned once per connection instead of on every call (planning
 * took ~15× the execution: ≈ 2.5 ms against ≈ 0.15 ms at 1M users). `force_generic_plan` makes that
 * literal from the first call: by default PostgreSQL plans a statement's first five executions on
 * each connection with their actual values before keeping a generic plan (migration 0015). Migration
 * 0010 last created the body from a frozen copy of this text and 0015 added the SET; a change here
 * needs a new migration with its own copy (test/db/feature-sql.test.ts checks that the migrated
 * database runs exactly this text with this setting).
 */
export const DAILY_SET_FUNCTION = `
CREATE OR REPLACE FUNCTION daily_recommendations_visible(p_user integer, p_date date, p_limit integer)
RETURNS TABLE (id integer, name varchar, birth_date date, location varchar, bio text, profile_img_url varchar, score smallint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan AS $fn$
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
        AND NOT EXISTS (SELECT 1 FROM matches m WHERE ${sqlText(isMatchOfPair('m', me, candidate))})
        AND ${sqlText(notBlockedEitherWay(me, candidate))}
      ORDER BY r.position
      LIMIT p_limit
    ) x ON true
    WHERE s.user_id = p_user AND s.kst_date = p_date
    ORDER BY x.position;
END
$fn$`;
