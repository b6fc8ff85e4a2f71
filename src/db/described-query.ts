import { createRequire } from 'node:module';
import pg from 'pg';

/**
 * A named prepared statement whose result PostgreSQL describes once per pool, not on every run.
 *
 * pg's `Query` sends Describe with every execution of a named statement, and for every answer
 * rebuilds the result's field list, its type parsers and its row template (`Result.addFields`: a
 * dictionary-mode object of every column, then copied; measured ≈ 13 µs of the ≈ 20 µs that
 * pg spends per run of the 23-column session query, BENCHMARKS.md "HTTP, fourth round"). The result's
 * shape of a named statement does not change while it is prepared (PostgreSQL refuses with
 * "cached plan must not change result type" if the table changes under it), so this query
 * describes it on the first run, keeps the fields and parsers in the pool's `shapes`, and then
 * only binds and executes: the same rows, as the same values.
 *
 * It relies on pg's Query/Result internals (`prepare`, `hasBeenParsed`, `_getRows`, `_result`,
 * `_accumulateRows`), pg 8.x; test/db/described-query.test.ts checks it through DatabaseHandle.prepared.
 */

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

interface Field {
  name: string;
  format: string;
}

/** A statement's result as PostgreSQL described it: columns, their parsers, a row of nulls. */
export interface Shape {
  text: string;
  fields: Field[];
  parsers: unknown[];
  empty: Record<string, null>;
}

/** What this class uses of pg's Connection. */
interface Connection {
  parse(query: { text: string; name: string; types: unknown }): void;
  bind(config: { portal: string; statement: string; values: unknown[]; binary: unknown; valueMapper: unknown }): void;
  close(msg: { type: string; name: string }): void;
  sync(): void;
  submittedNamedStatements: Record<string, string>;
}

/** What this class uses of pg's Query and Result beyond their declared types. */
interface QueryInternals {
  name: string;
  text: string;
  values: unknown[];
  types: unknown;
  portal: string;
  binary: unknown;
  rows: unknown;
  _accumulateRows: boolean;
  _result: { fields: Field[]; _parsers: unknown[] | undefined; _prebuiltEmptyResultObject: Record<string, null> | null };
  hasBeenParsed(connection: Connection): boolean;
  _getRows(connection: Connection, rows: unknown): void;
  handleError(err: unknown, connection: Connection): void;
}

const pgPrepare = (pg.Query.prototype as unknown as { prepare(this: QueryInternals, connection: Connection): void }).prepare;
const pgHandleRowDescription = (pg.Query.prototype as unknown as { handleRowDescription(this: QueryInternals, msg: unknown): void })
  .handleRowDescription;

export class DescribedOnceQuery extends pg.Query {
  constructor(
    name: string,
    text: string,
    values: unknown[],
    /** The pool's shapes by statement name. */
    private readonly shapes: Map<string, Shape>,
  ) {
    // The text as the config: pg copies a config object with all its property descriptors
    // (`cloneQueryConfig`, ≈ 3 µs per query); a string it wraps in `{ text }`.
    super(text, values);
    (this as unknown as QueryInternals).name = name;
  }

  /** pg calls this to send the statement; without a known shape, pg's own (with Describe). */
  prepare(connection: Connection): void {
    const q = this as unknown as QueryInternals;
    const shape = this.shapes.get(q.name);
    if (shape === undefined || shape.text !== q.text) {
      pgPrepare.call(q, connection);
      return;
    }
    // pg's Query.prepare without connection.describe.
    if (!q.hasBeenParsed(connection)) {
      connection.parse({ text: q.text, name: q.name, types: q.types });
      connection.submittedNamedStatements[q.name] = q.text;
    }
    try {
      connection.bind({ portal: q.portal, statement: q.name, values: q.values, binary: q.binary, valueMapper: prepareValue });
    } catch (err) {
      connection.close({ type: 'S', name: q.name });
      connection.sync();
      q.handleError(err, connection);
      return;
    }
    // What handleRowDescription would have set from the (now unsent) description.
    const result = q._result;
    result.fields = shape.fields;
    result._parsers = shape.parsers;
    result._prebuiltEmptyResultObject = shape.empty;
    q._accumulateRows = true;
    q._getRows(connection, q.rows);
  }

  /** The first run's description: pg's handling, then the shape kept for the next runs. */
  handleRowDescription(msg: unknown): void {
    const q = this as unknown as QueryInternals;
    pgHandleRowDescription.call(q, msg);
    const { fields, _parsers } = q._result;
    if (_parsers === undefined || this.shapes.has(q.name)) return;
    // A plain object (pg's template is a dictionary-mode copy of Object.create(null)): each row
    // copied from it has the same fast shape.
    const empty: Record<string, null> = {};
    for (const field of fields) empty[field.name] = null;
    this.shapes.set(q.name, { text: q.text, fields, parsers: _parsers, empty });
  }
}
