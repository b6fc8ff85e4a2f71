import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { isActiveAccount } from './account-status.js';

type Executor = Db | Transaction<Database>;

export async function createSession(
  trx: Executor,
  input: { userId: number; userAgent: string | null; ip: string | null },
): Promise<number> {
  const row = await trx
    .insertInto('auth_sessions')
    .values({ user_id: input.userId, user_agent: input.userAgent, ip: input.ip })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertRefreshToken(
  trx: Executor,
  input: { sessionId: number; tokenHash: string; ttlSeconds: number },
): Promise<void> {
  await trx
    .insertInto('refresh_tokens')
    .values({
      session_id: input.sessionId,
      token_hash: input.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${input.ttlSeconds})`,
    })
    .execute();
}

/**
 * The presented token's row with its session, locked: parallel refreshes of one token queue
 * here, so exactly one of them rotates it and the others see it rotated.
 */
export async function lockRefreshToken(trx: Transaction<Database>, tokenHash: string) {
  return trx
    .selectFrom('refresh_tokens as t')
    .innerJoin('auth_sessions as s', 's.id', 't.session_id')
    .where('t.token_hash', '=', tokenHash)
    .select([
      't.id',
      't.session_id',
      's.user_id',
      's.revoked_at',
      sql<boolean>`t.expires_at <= now()`.as('expired'),
      sql<number | null>`extract(epoch from (now() - t.rotated_at))::float8`.as('seconds_since_rotation'),
    ])
    .forUpdate('t')
    .executeTakeFirst();
}

export async function markRotated(trx: Transaction<Database>, tokenId: number): Promise<void> {
  await trx.updateTable('refresh_tokens').set({ rotated_at: sql`now()` }).where('id', '=', tokenId).execute();
}

export async function touchSession(trx: Executor, sessionId: number): Promise<void> {
  await trx.updateTable('auth_sessions').set({ last_used_at: sql`now()` }).where('id', '=', sessionId).execute();
}

export async function tokenExists(trx: Executor, tokenHash: string): Promise<boolean> {
  const row = await trx.selectFrom('refresh_tokens').select('id').where('token_hash', '=', tokenHash).executeTakeFirst();
  return row !== undefined;
}

/** Revokes a session once; true when this call did it. */
export async function revokeSession(trx: Executor, sessionId: number, reason: string): Promise<boolean> {
  const result = await trx
    .updateTable('auth_sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The account's password hash and whether it is suspended, with a share lock on the user row for
 * the rest of the login's transaction: a password change or a suspension (which update that row)
 * waits for the new session to commit and then revokes it too, or has already committed and is
 * seen here. Either way no session outlives them.
 */
export async function lockAccountForLogin(trx: Transaction<Database>, userId: number) {
  return trx
    .selectFrom('users as u')
    .select(['u.password_hash', isActiveAccount('u').as('active')])
    .where('u.id', '=', userId)
    .forShare()
    .executeTakeFirst();
}
