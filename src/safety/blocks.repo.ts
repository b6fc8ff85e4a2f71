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
