import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';

// DatabaseHandle.prepared on PostgreSQL: PostgreSQL describes a statement's result on its first
// run only (src/db/described-query.ts); every later run, on any pool connection, must give the
// same rows as the described one and as Kysely. PGlite (the default) runs the same checks
// through Kysely's executor.
const kind = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
  await sql`CREATE TABLE shapes (id int PRIMARY KEY, at timestamptz, day date, tags text[], flag boolean, note text, n int8)`.execute(
    t.database.db,
  );
  await sql`INSERT INTO shapes VALUES (1, '2026-12-03T19:00:00.123Z', '1990-01-02', '{a,b}', true, null, 42),
                                      (2, null, null, '{}', false, '노트', null)`.execute(t.database.db);
});
after(async () => t.close());

const SELECT = 'select id, at, day, tags, flag, note, n from shapes where id = $1';

describe(`prepared statements described once (${kind})`, () => {
  it('later runs on every pool connection return what the first run and Kysely return', async () => {
    const expected = (id: number) => t.database.db.executeQuery(CompiledQuery.raw(SELECT, [id])).then((r) => r.rows);
    const first = await t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), [1]);
    assert.deepEqual(first, await expected(1));
    assert.ok(first[0] && (first[0] as { at: unknown }).at instanceof Date);
    // More at once than the pool has connections: connections that never ran it parse it, undescribed.
    const runs = await Promise.all(Array.from({ length: 60 }, (_, i) => t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), [1 + (i % 2)])));
    const [one, two] = [await expected(1), await expected(2)];
    runs.forEach((rows, i) => assert.deepEqual(rows, i % 2 ? two : one));
    assert.deepEqual(Object.keys(runs[0]![0] as object), ['id', 'at', 'day', 'tags', 'flag', 'note', 'n']);
    assert.deepEqual(await t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), [3]), []);
  });

  it('a run that fails (a parameter PostgreSQL refuses) fails alone; the next runs work', async () => {
    await t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), [1]);
    await assert.rejects(t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), ['not a number']), /invalid input syntax/);
    const again = await Promise.all(Array.from({ length: 25 }, () => t.database.prepared('shapes_v1', CompiledQuery.raw(SELECT), [2])));
    for (const rows of again) assert.deepEqual(rows, [{ id: 2, at: null, day: null, tags: [], flag: false, note: '노트', n: null }]);
  });

  it('GET /api/users/me gives the same profile on the first and every later request, many at once', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createUser(api)));
    for (const user of users) {
      const first = await api.get('/api/users/me', { token: user.accessToken });
      assert.equal(first.status, 200);
      assert.equal((first.body as { user_id: number }).user_id, user.id);
      const later = await Promise.all(Array.from({ length: 30 }, () => api.get('/api/users/me', { token: user.accessToken })));
      for (const res of later) {
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, first.body);
      }
    }
  });
});
