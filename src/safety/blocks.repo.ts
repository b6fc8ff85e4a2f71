import type { Transaction } from 'kysely';
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { userIdOperand, type UserIdOperand } from '../db/user-pair.js';

type Executor = Db | Transaction<Database>;

/** One direction: `blocker` has blocked `blocked` (a probe of the blocks primary key). */
const hasBlocked = (blocker: Expression<number | null>, blocked: Expression<number | null>) =>
  sql<boolean>`EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = ${blocker} AND bl.blocked_id = ${blocked})`;

/**
 * "Blocked either way": one of the two people has blocked the other. A block hides two people
 * from each other everywhere (recommendations, profiles, requests, chats, sends), and this is the
 * one place the condition is written: two probes of the blocks primary key. `a` and `b` are user
 * ids or SQL expressions (`sql.ref('m.requester_id')`, a PL/pgSQL variable with `sql.raw`).
 */
export function blockedEitherWay(a: UserIdOperand, b: UserIdOperand): RawBuilder<boolean> {
  const [x, y] = [userIdOperand(a), userIdOperand(b)];
  return sql<boolean>`(${hasBlocked(x, y)} OR ${hasBlocked(y, x)})`;
}

/**
 * The negation of `blockedEitherWay`, written as two NOT EXISTS so that the planner can turn each
 * into an anti-join (for lists: recommendations, matches, chats).
 */
export function notBlockedEitherWay(a: UserIdOperand, b: UserIdOperand): RawBuilder<boolean> {
  const [x, y] = [userIdOperand(a), userIdOperand(b)];
  return sql<boolean>`(NOT ${hasBlocked(x, y)} AND NOT ${hasBlocked(y, x)})`;
}

/** True when either of the two has blocked the other. */
export async function eitherBlocked(db: Executor, a: number, b: number): Promise<boolean> {
  const row = await db.selectNoFrom(blockedEitherWay(a, b).as('blocked')).executeTakeFirstOrThrow();
  return row.blocked;
}

/**
 * Blocks `blockedId` if that user exists, in one statement (no window in which the account could
 * vanish between a look-up and the insert). Returns 'blocked', 'already' or 'no_such_user'.
 */
export async function insertBlock(db: Executor, blockerId: number, blockedId: number): Promise<'blocked' | 'already' | 'no_such_user'> {
  const inserted = await db
    .insertInto('blocks')
    .columns(['blocker_id', 'blocked_id'])
    .expression((eb) => eb.selectFrom('users').select([eb.cast<number>(eb.val(blockerId), 'integer').as('blocker_id'), 'id']).where('id', '=', blockedId))
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
