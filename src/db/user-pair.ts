import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/**
 * A user id in a shared SQL condition: a number (sent as an int parameter) or an SQL expression
 * (a column such as `sql.ref('m.requester_id')`, a PL/pgSQL variable such as `sql.raw('p_user')`).
 */
export type UserIdOperand = number | Expression<number | null>;

export function userIdOperand(id: UserIdOperand): Expression<number | null> {
  return typeof id === 'number' ? sql<number>`${id}::int` : id;
}

/**
 * "`matches` (the table's name or alias in the query) is the match row of the unordered pair
 * {a, b}": whoever asked whom, two people have at most one match row. Written with the
 * expressions of the pair's unique index (migration 0004: LEAST and GREATEST of requester_id and
 * receiver_id), so a lookup is one probe of that index. Two known ids are ordered here.
 */
export function isMatchOfPair(matches: string, a: UserIdOperand, b: UserIdOperand): RawBuilder<SqlBool> {
  const requester = sql.ref(`${matches}.requester_id`);
  const receiver = sql.ref(`${matches}.receiver_id`);
  const [x, y] = [userIdOperand(a), userIdOperand(b)];
  const [low, high] =
    typeof a === 'number' && typeof b === 'number'
      ? [userIdOperand(Math.min(a, b)), userIdOperand(Math.max(a, b))]
      : [sql`LEAST(${x}, ${y})`, sql`GREATEST(${x}, ${y})`];
  return sql<SqlBool>`(LEAST(${requester}, ${receiver}) = ${low} AND GREATEST(${requester}, ${receiver}) = ${high})`;
}
