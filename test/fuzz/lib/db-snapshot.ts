import { sql } from 'kysely';
import type { Db } from '../../../src/db/database.js';

/**
 * A fingerprint of every table: its row count and a hash of all its rows (order-independent). Two
 * equal snapshots mean no row was inserted, updated or deleted in between.
 */
export type Snapshot = Record<string, string>;

export async function tablesOf(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
    ORDER BY table_name`.execute(db);
  if (rows.length < 5) throw new Error(`only ${rows.length} tables found: is the database migrated?`);
  return rows.map((r) => r.name);
}

export function snapshotter(db: Db, tables: string[]): () => Promise<Snapshot> {
  const parts = tables.map(
    (t) =>
      `SELECT '${t}' AS name, count(*)::text || ':' || md5(coalesce(string_agg(md5(x::text), ',' ORDER BY md5(x::text)), '')) AS hash FROM "${t}" x`,
  );
  const query = sql<{ name: string; hash: string }>`${sql.raw(parts.join(' UNION ALL '))}`;
  return async () => {
    const { rows } = await query.execute(db);
    return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
  };
}

/** Tables whose fingerprint differs. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}
