import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { migrations } from '../../src/db/migrations/index.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
let migrator: Migrator;

before(async () => {
  database = await freshDatabase();
  migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
});
after(() => database.close());

/** What the migrations build, as sorted text: columns, constraints, indexes, triggers, function settings and bodies. */
async function schemaSnapshot(): Promise<string[]> {
  const { rows } = await sql<{ item: string }>`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS item
      FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_migration%'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE 'kysely_migration%'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename NOT LIKE 'kysely_migration%'
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgfoid::regproc::text FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text || ' ' || coalesce(p.proconfig::text, '') || ' ' || p.prosrc
      FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
    UNION ALL
    SELECT 'type ' || t.typname || ' ' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
      FROM pg_type t WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype = 'e'`.execute(database.db);
  return rows.map((r) => r.item).sort();
}

async function step(direction: 'up' | 'down'): Promise<string> {
  const result = direction === 'up' ? await migrator.migrateUp() : await migrator.migrateDown();
  if (result.error) throw result.error;
  assert.equal(result.results?.length, 1);
  return result.results[0]!.migrationName;
}

describe(`migrations up and down (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  const names = Object.keys(migrations).sort();

  it('go from the latest down to nothing, and each down() restores exactly what the migration before it built', async () => {
    // freshDatabase migrated to the latest; record each level on the way back up from zero.
    const atLatest = await schemaSnapshot();
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    if (down.error) throw down.error;
    assert.equal(down.results?.length, names.length);
    const levels = [await schemaSnapshot()];
    assert.deepEqual(levels[0], []);
    for (const name of names) {
      assert.equal(await step('up'), name);
      levels.push(await schemaSnapshot());
    }
    assert.deepEqual(levels[names.length], atLatest);
    for (let i = names.length; i > 0; i--) {
      assert.equal(await step('down'), names[i - 1]);
      assert.deepEqual(await schemaSnapshot(), levels[i - 1], `down() of ${names[i - 1]}`);
    }
  });

  it('go up again to the latest from nothing', async () => {
    const up = await migrator.migrateToLatest();
    if (up.error) throw up.error;
    assert.deepEqual(
      up.results?.map((r) => r.migrationName),
      names,
    );
  });
});
