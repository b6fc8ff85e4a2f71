import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { COLUMNS } from '../../src/db/schema.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;

before(async () => {
  database = await freshDatabase();
});
after(() => database.close());

interface ColumnInfo {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

/** Every table the migrations made (but Kysely's own bookkeeping): column → SQL type, `?` if nullable. */
async function migratedColumns(): Promise<Record<string, Record<string, string>>> {
  const { rows } = await sql<ColumnInfo>`
    SELECT table_name, column_name, udt_name, is_nullable
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name NOT IN ('kysely_migration', 'kysely_migration_lock')`.execute(database.db);
  const tables: Record<string, Record<string, string>> = {};
  for (const r of rows) (tables[r.table_name] ??= {})[r.column_name] = r.is_nullable === 'YES' ? `${r.udt_name}?` : r.udt_name;
  return tables;
}

// src/db/schema.ts's COLUMNS is checked against its interfaces by the compiler; this checks it
// against what the migrations actually built, so the types Kysely trusts match the database.
describe(`src/db/schema.ts against the migrated database (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('has the same tables', async () => {
    assert.deepEqual(Object.keys(await migratedColumns()).sort(), Object.keys(COLUMNS).sort());
  });

  it('has the same columns in every table, with the same SQL type and nullability', async () => {
    const migrated = await migratedColumns();
    for (const [table, columns] of Object.entries(COLUMNS)) {
      assert.deepEqual(migrated[table], { ...columns }, `table ${table}: migrated (actual) vs src/db/schema.ts (expected)`);
    }
  });
});
