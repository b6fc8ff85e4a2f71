import { createQueryId, PostgresQueryCompiler, type RawBuilder } from 'kysely';

const compiler = new PostgresQueryCompiler();

/**
 * The SQL text of a fragment built without values (only `sql.raw`/`sql.ref` parts), for SQL that
 * is stored rather than sent with parameters: the body of a PL/pgSQL function. The same helper
 * (e.g. `blockedEitherWay`) thus writes a rule once for queries and for functions.
 */
export function sqlText(fragment: RawBuilder<unknown>): string {
  const compiled = compiler.compileQuery(fragment.toOperationNode(), createQueryId());
  if (compiled.parameters.length > 0) throw new Error('sqlText: the fragment has parameters; use sql.raw for stored SQL');
  return compiled.sql;
}
