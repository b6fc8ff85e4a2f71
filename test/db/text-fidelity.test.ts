import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;

before(async () => {
  database = await freshDatabase();
  await sql`CREATE TABLE texts (id int PRIMARY KEY, t text, v varchar(64))`.execute(database.db);
});
after(() => database.close());

// Text that no trimming touches (a client_msg_id, say) must come back exactly as stored. PGlite's
// protocol reader dropped a leading U+FEFF until scripts/patch-pglite.mjs (npm's postinstall)
// gave it `ignoreBOM`; if this fails on PGlite, run `node scripts/patch-pglite.mjs`.
describe(`text comes back exactly as stored (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  const values = ['\uFEFFbom first', '\uFEFF', 'inner \uFEFF bom', '\uFFFEreversed', ' spaced ', '사주\u0301', '😀 end'];

  it('in columns, RETURNING, arrays and unnest', async () => {
    for (const [i, value] of values.entries()) {
      const returned = await database.db.insertInto('texts' as never).values({ id: i, t: value, v: value } as never).returning(['t', 'v'] as never).executeTakeFirstOrThrow();
      assert.deepEqual(returned, { t: value, v: value }, JSON.stringify(value));
    }
    const read = await sql<{ t: string; v: string }>`SELECT t, v FROM texts ORDER BY id`.execute(database.db);
    assert.deepEqual(read.rows.map((r) => r.t), values);
    assert.deepEqual(read.rows.map((r) => r.v), values);
    const array = await sql<{ a: string[] }>`SELECT ${values}::text[] AS a`.execute(database.db);
    assert.deepEqual(array.rows[0]!.a, values);
    const unnested = await sql<{ x: string }>`SELECT unnest(${values}::text[]) AS x`.execute(database.db);
    assert.deepEqual(unnested.rows.map((r) => r.x), values);
  });
});
