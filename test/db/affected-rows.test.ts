import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;

before(async () => {
  database = await freshDatabase();
  await sql`CREATE TABLE pool_counts (id int PRIMARY KEY, n int NOT NULL)`.execute(database.db);
  await sql`INSERT INTO pool_counts SELECT g, 0 FROM generate_series(1, 5) g`.execute(database.db);
});
after(() => database.close());

// PGlite by default, PostgreSQL with DATABASE_URL: Kysely must see the same counts from both.
describe(`affected-row counts (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a WITH … UPDATE reports the rows it updated, not 0', async () => {
    const result = await sql`
      WITH picked AS (SELECT id FROM pool_counts WHERE id <= 3)
      UPDATE pool_counts SET n = n + 1 WHERE id IN (SELECT id FROM picked)`.execute(database.db);
    assert.equal(result.numAffectedRows, 3n);
  });

  it('a WITH … DELETE and a WITH … INSERT report theirs', async () => {
    const deleted = await sql`WITH gone AS (SELECT 5 AS id) DELETE FROM pool_counts WHERE id IN (SELECT id FROM gone)`.execute(database.db);
    assert.equal(deleted.numAffectedRows, 1n);
    const inserted = await sql`WITH fresh AS (SELECT g FROM generate_series(10, 11) g) INSERT INTO pool_counts SELECT g, 0 FROM fresh`.execute(
      database.db,
    );
    assert.equal(inserted.numAffectedRows, 2n);
  });

  it('an UPDATE that matches nothing reports 0, and a SELECT reports no count', async () => {
    const none = await sql`UPDATE pool_counts SET n = 0 WHERE id = 999`.execute(database.db);
    assert.equal(none.numAffectedRows, 0n);
    const select = await sql`SELECT id FROM pool_counts WHERE id <= 2`.execute(database.db);
    assert.equal(select.numAffectedRows, undefined);
    assert.equal(select.rows.length, 2);
  });

  it("the query builder's WITH … UPDATE reports numUpdatedRows from the same counts", async () => {
    await database.db
      .insertInto('users')
      .values(
        [1, 2].map((i) => ({
          email: `pool${i}@example.com`,
          password_hash: 'x',
          name: `Pool ${i}`,
          birth_date: '1990-01-01',
          gender: 'male' as const,
          interested_in: ['female' as const],
        })),
      )
      .execute();
    const updated = await database.db
      .with('picked', (db) => db.selectFrom('users').select('id').where('email', 'like', 'pool%'))
      .updateTable('users')
      .set({ bio: 'counted' })
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('id'))
      .executeTakeFirst();
    assert.equal(updated.numUpdatedRows, 2n);
  });
});
