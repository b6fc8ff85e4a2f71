import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { koreanDate } from '../../src/lib/time.js';
import { mutualFitSql } from '../../src/recommendations/recommendations.repo.js';
import { compatibilityScore } from '../../src/saju/index.js';

/**
 * The baseline recommendations are measured against: fetch every person the caller may be
 * recommended (the same filters as the app: each fits the other's preferences, no match row, no
 * block) and score each one. Returns the best 50 by score, then id.
 */
export async function bruteForceRecommendations(db: Db, userId: number): Promise<Array<{ id: number; score: number }>> {
  const me = await db
    .selectFrom('users')
    .select(['id', 'gender', 'interested_in', 'saju_key', 'birth_date', 'region', 'preferred_regions', 'age_min', 'age_max'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const result = await sql<{ id: number; saju_key: number }>`
    SELECT u.id, u.saju_key FROM users u
    WHERE ${mutualFitSql(me, koreanDate(new Date()))}
      AND u.id <> ${userId}
      AND NOT EXISTS (SELECT 1 FROM matches m
        WHERE LEAST(m.requester_id, m.receiver_id) = LEAST(${userId}::int, u.id)
          AND GREATEST(m.requester_id, m.receiver_id) = GREATEST(${userId}::int, u.id))
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${userId} AND b.blocked_id = u.id)
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = ${userId})`.execute(db);
  const scored = result.rows.map((r) => ({ id: r.id, score: compatibilityScore(me.saju_key, r.saju_key) }));
  scored.sort((a, b) => b.score - a.score || a.id - b.id);
  return scored.slice(0, 50);
}
