import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Suspension and ban, said once. A user row's `suspended_until` (migration 0008) hides and locks
 * out the account while it lies in the future; a ban is `'infinity'`. Comparing with now() where
 * it matters ends a suspension by itself, with no job to lift it.
 */
export type AccountStatus = 'active' | 'suspended' | 'banned';

/** The stored value of a ban. */
export const BAN_UNTIL = 'infinity';

const column = (alias: string) => sql.ref(`${alias}.suspended_until`);

/** SQL condition: the user row `alias` is neither suspended nor banned now. */
export function isActiveAccount(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${column(alias)} IS NULL OR ${column(alias)} <= now())`;
}

/**
 * SQL condition for hot paths over many candidates: the user `alias`.id is not suspended or
 * banned now, decided from the small partial index users_suspended_idx (0008) alone, without
 * reading the candidate's user row (index-only scans of other indexes stay index-only).
 */
export function notSuspended(alias: string): RawBuilder<SqlBool> {
  return notSuspendedId(sql.ref<number>(`${alias}.id`));
}

/**
 * The same condition for a user id that is not a users row at hand (a match's member columns):
 * a probe of users_suspended_idx alone. Used by the chat append function, whose hot path must not
 * read both members' user rows for every batch.
 */
export function notSuspendedId(userId: Expression<number | null>): RawBuilder<SqlBool> {
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM users s
    WHERE s.id = ${userId} AND s.suspended_until IS NOT NULL AND s.suspended_until > now())`;
}

/** SQL expression: the user row's status now. */
export function accountStatusOf(alias: string): RawBuilder<AccountStatus> {
  return sql<AccountStatus>`(CASE WHEN ${column(alias)} = 'infinity'::timestamptz THEN 'banned'
    WHEN ${column(alias)} > now() THEN 'suspended' ELSE 'active' END)`;
}

export const ACCOUNT_SUSPENDED = 'Account suspended';
