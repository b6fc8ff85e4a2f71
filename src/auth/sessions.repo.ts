import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export interface LiveSessionRow {
  id: number;
  created_at: Date;
  last_used_at: Date;
  user_agent: string | null;
}

/**
 * A login session is live while it is not revoked and still holds an unexpired refresh token
 * (after that nothing can use it: access tokens live minutes, refresh tokens days).
 */
const liveSession = (eb: ExpressionBuilder<Database & { s: Database['auth_sessions'] }, 's'>) =>
  eb.and([
    eb('s.revoked_at', 'is', null),
    eb.exists(eb.selectFrom('refresh_tokens as t').select(eb.lit(1).as('one')).whereRef('t.session_id', '=', 's.id').where('t.expires_at', '>', sql<Date>`now()`)),
  ]);

/** The user's live sessions, newest first. */
export async function listLiveSessions(db: Executor, userId: number): Promise<LiveSessionRow[]> {
  return db
    .selectFrom('auth_sessions as s')
    .select(['s.id', 's.created_at', 's.last_used_at', 's.user_agent'])
    .where('s.user_id', '=', userId)
    .where(liveSession)
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id', 'desc')
    .execute();
}

/** Revokes one live session of the user; false when the user has no such live session. */
export async function revokeOwnSession(db: Executor, userId: number, sessionId: number, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('auth_sessions as s')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('s.id', '=', sessionId)
    .where('s.user_id', '=', userId)
    .where(liveSession)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revokes every unrevoked session of the user (but `exceptSessionId`); returns how many. */
export async function revokeUserSessions(
  db: Executor,
  userId: number,
  reason: string,
  exceptSessionId: number | null = null,
): Promise<number> {
  let query = db
    .updateTable('auth_sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (exceptSessionId !== null) query = query.where('id', '<>', exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Moves `last_used_at` to now, if it is older than `staleSeconds` (API use, throttled). */
export async function touchSessionIfStale(db: Executor, sessionId: number, staleSeconds: number): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', sessionId)
    // Raw: the builder has no interval arithmetic.
    .where('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
    .execute();
}

export async function setPasswordHash(trx: Executor, userId: number, passwordHash: string): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: sql`now()` })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
