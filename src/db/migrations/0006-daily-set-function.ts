import { sql, type Kysely } from 'kysely';

/**
 * Today's recommendations as stored, for the repeat call of the day (the hot path). A plpgsql
 * function keeps its query plan for the session, so the lateral join with its three exclusion
 * probes is planned once per connection instead of on every call (planning took ~3× the execution).
 * No row: no set was fixed for that day yet; one row of NULLs: the set is empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(DAILY_SET_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION daily_recommendations_visible(integer, date, integer)`.execute(db);
}

/** As first created; src/recommendations/daily-set.sql.ts holds the function in force (migration 0009). */
export const DAILY_SET_FUNCTION = `
    CREATE FUNCTION daily_recommendations_visible(p_user integer, p_date date, p_limit integer)
    RETURNS TABLE (id integer, name varchar, birth_date date, location varchar, bio text, profile_img_url varchar, score smallint)
    LANGUAGE plpgsql STABLE AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
        SELECT x.id, x.name, x.birth_date, x.location, x.bio, x.profile_img_url, x.score
        FROM daily_recommendation_sets s
        LEFT JOIN LATERAL (
          SELECT u.id, u.name, u.birth_date, u.location, u.bio, u.profile_img_url, r.score, r.position
          FROM daily_recommendations r
          JOIN users u ON u.id = r.candidate_id
          WHERE r.user_id = s.user_id AND r.kst_date = s.kst_date
            -- since requested, declined or matched, either direction
            AND NOT EXISTS (
              SELECT 1 FROM matches m
              WHERE LEAST(m.requester_id, m.receiver_id) = LEAST(p_user, u.id)
                AND GREATEST(m.requester_id, m.receiver_id) = GREATEST(p_user, u.id))
            -- since blocked, either way
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p_user AND b.blocked_id = u.id)
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = p_user)
          ORDER BY r.position
          LIMIT p_limit
        ) x ON true
        WHERE s.user_id = p_user AND s.kst_date = p_date
        ORDER BY x.position;
    END $$`;
