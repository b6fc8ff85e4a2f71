import type { Expression, SqlBool, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

/** True when either of the two has blocked the other. */
export async function eitherBlocked(db: Executor, a: number, b: number): Promise<boolean> {
  const row = await db
    .selectFrom('blocks')
    .select('blocker_id')
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
        eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A SQL condition "no block between `userId` and the user id in `otherColumn`", for WHERE clauses
 * of lists (recommendations, matches, chats), e.g. `.where(noBlockBetween(me, sql.ref('m.requester_id')))`.
 */
export function noBlockBetween(userId: number, other: Expression<number | null>): Expression<SqlBool> {
  return sql<SqlBool>`NOT EXISTS (
    SELECT 1 FROM blocks b
    WHERE (b.blocker_id = ${userId} AND b.blocked_id = ${other})
       OR (b.blocker_id = ${other} AND b.blocked_id = ${userId}))`;
}

/**
 * Blocks `blockedId` if that user exists, in one statement (no window in which the account could
 * vanish between a look-up and the insert). Returns 'blocked', 'already' or 'no_such_user'.
 */
export async function insertBlock(db: Executor, blockerId: number, blockedId: number): Promise<'blocked' | 'already' | 'no_such_user'> {
  const inserted = await db
    .insertInto('blocks')
    .columns(['blocker_id', 'blocked_id'])
    .expression((eb) => eb.selectFrom('users').select([sql<number>`${blockerId}::int`.as('blocker_id'), 'id']).where('id', '=', blockedId))
    .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
    .returning('blocked_id')
    .executeTakeFirst();
  if (inserted) return 'blocked';
  return (await userExists(db, blockedId)) ? 'already' : 'no_such_user';
}

export async function deleteBlock(db: Executor, blockerId: number, blockedId: number): Promise<void> {
  await db.deleteFrom('blocks').where('blocker_id', '=', blockerId).where('blocked_id', '=', blockedId).execute();
}

export async function userExists(db: Executor, userId: number): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  return row !== undefined;
}
