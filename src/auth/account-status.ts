import { sql, type RawBuilder, type SqlBool } from 'kysely';

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

/** SQL expression: the user row's status now. */
export function accountStatusOf(alias: string): RawBuilder<AccountStatus> {
  return sql<AccountStatus>`(CASE WHEN ${column(alias)} = 'infinity'::timestamptz THEN 'banned'
    WHEN ${column(alias)} > now() THEN 'suspended' ELSE 'active' END)`;
}

export const ACCOUNT_SUSPENDED = 'Account suspended';
