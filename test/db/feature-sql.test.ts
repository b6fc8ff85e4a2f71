import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { APPEND_MESSAGES_FUNCTION } from '../../src/chats/append-messages.sql.js';
import { APPEND_MESSAGES_FUNCTION_0009 } from '../../src/db/migrations/0009-feature-sql-files.js';
import * as m0012 from '../../src/db/migrations/0012-chat-append-account-status.js';
import * as m0015 from '../../src/db/migrations/0015-daily-set-generic-plan.js';
import { APPEND_MESSAGES_FUNCTION_0012 } from '../../src/db/migrations/0012-chat-append-account-status.js';
import { sqlText } from '../../src/db/sql-text.js';
import { isMatchOfPair } from '../../src/db/user-pair.js';
import { DEVICES_FOLLOW_SESSION_FUNCTION } from '../../src/notifications/devices.sql.js';
import { DAILY_SET_FUNCTION } from '../../src/recommendations/daily-set.sql.js';
import { blockedEitherWay, eitherBlocked, notBlockedEitherWay } from '../../src/safety/blocks.repo.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
let ids: number[];

before(async () => {
  database = await freshDatabase();
  const users = await database.db
    .insertInto('users')
    .values(
      [1, 2, 3, 4].map((i) => ({
        email: `feature-sql-${i}@example.com`,
        password_hash: 'x',
        name: `User ${i}`,
        birth_date: '1990-01-01',
        gender: 'male' as const,
        interested_in: ['female' as const],
      })),
    )
    .returning('id')
    .execute();
  ids = users.map((u) => u.id);
});
after(() => database.close());

const body = (definition: string) => /\$fn\$([\s\S]*)\$fn\$/.exec(definition)?.[1];
const settings = (definition: string) =>
  [...definition.slice(0, definition.indexOf('$fn$')).matchAll(/\bSET (\w+) = (\w+)/g)].map(([, key, value]) => `${key}=${value}`);

describe('feature SQL files', () => {
  for (const [name, definition] of [
    ['chat_append_messages', APPEND_MESSAGES_FUNCTION],
    ['daily_recommendations_visible', DAILY_SET_FUNCTION],
    ['devices_follow_session', DEVICES_FOLLOW_SESSION_FUNCTION],
  ] as const) {
    it(`the migrated database runs ${name} exactly as its file writes it`, async () => {
      const { rows } = await sql<{ prosrc: string; proconfig: string[] | null }>`
        SELECT prosrc, proconfig FROM pg_proc WHERE proname = ${name}`.execute(database.db);
      assert.equal(rows.length, 1);
      assert.ok(body(definition), 'the file quotes the body with $fn$');
      assert.equal(rows[0]!.prosrc, body(definition));
      // and with the settings the file gives it (`SET name = value` before the body)
      assert.deepEqual(rows[0]!.proconfig ?? [], settings(definition));
    });
  }

  it("migration 0012's down goes back to 0009's blocks-only append and its up to its own frozen text", async () => {
    const source = async () =>
      (await sql<{ prosrc: string }>`SELECT prosrc FROM pg_proc WHERE proname = 'chat_append_messages'`.execute(database.db)).rows[0]!.prosrc;
    assert.ok((await source()).includes('s.suspended_until > now()'));
    await m0012.down(database.db as unknown as Kysely<unknown>);
    const down = await source();
    assert.equal(down, body(APPEND_MESSAGES_FUNCTION_0009));
    assert.ok(!down.includes('suspended_until'));
    await m0012.up(database.db as unknown as Kysely<unknown>);
    const up = await source();
    assert.equal(up, body(APPEND_MESSAGES_FUNCTION_0012));
    assert.ok(up.includes('s.suspended_until > now()'));
    await sql.raw(APPEND_MESSAGES_FUNCTION).execute(database.db); // back to the text in force, as 0013 left it
    assert.equal(await source(), body(APPEND_MESSAGES_FUNCTION));
  });

  it('the repeat read keeps one generic plan per connection (migration 0015), and its down() drops the setting', async () => {
    const config = async () =>
      (await sql<{ proconfig: string[] | null }>`SELECT proconfig FROM pg_proc WHERE proname = 'daily_recommendations_visible'`.execute(database.db))
        .rows[0]!.proconfig;
    assert.deepEqual(await config(), ['plan_cache_mode=force_generic_plan']);
    await m0015.down(database.db as unknown as Kysely<unknown>);
    assert.equal(await config(), null);
    await m0015.up(database.db as unknown as Kysely<unknown>);
    assert.deepEqual(await config(), ['plan_cache_mode=force_generic_plan']);
  });

  it('stored SQL is written without parameters', () => {
    assert.equal(sqlText(sql`x = ${sql.raw('p_user')}`), 'x = p_user');
    assert.throws(() => sqlText(sql`x = ${1}`), /parameters/);
  });
});

describe('"blocked either way"', () => {
  const check = async (a: number, b: number) => {
    const row = await database.db
      .selectNoFrom([blockedEitherWay(a, b).as('blocked'), notBlockedEitherWay(a, b).as('free')])
      .executeTakeFirstOrThrow();
    assert.equal(row.free, !row.blocked);
    assert.equal(await eitherBlocked(database.db, a, b), row.blocked);
    return row.blocked;
  };

  it('holds for a block in either direction and for nobody else', async () => {
    const [a, b, c, d] = ids as [number, number, number, number];
    await database.db.insertInto('blocks').values({ blocker_id: a, blocked_id: b }).execute();
    assert.equal(await check(a, b), true);
    assert.equal(await check(b, a), true);
    assert.equal(await check(a, c), false);
    assert.equal(await check(c, d), false);
  });

  it('takes columns as well as ids', async () => {
    const [a, b] = ids as [number, number];
    const rows = await database.db
      .selectFrom('users as u')
      .select('u.id')
      .where(blockedEitherWay(a, sql.ref<number>('u.id')))
      .execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [b],
    );
  });
});

describe('the unordered pair', () => {
  it('finds the match row of two people whoever asked whom, and no other', async () => {
    const [a, b, c] = ids as [number, number, number];
    await database.db.insertInto('matches').values({ requester_id: b, receiver_id: a }).execute();
    const find = (x: number, y: number) =>
      database.db.selectFrom('matches as m').select('m.requester_id').where(isMatchOfPair('m', x, y)).execute();
    assert.equal((await find(a, b)).length, 1);
    assert.equal((await find(b, a)).length, 1);
    assert.equal((await find(a, c)).length, 0);
    const byColumn = await database.db
      .selectFrom('users as u')
      .select('u.id')
      .where(({ exists, selectFrom }) => exists(selectFrom('matches as m').select('m.id').where(isMatchOfPair('m', a, sql.ref<number>('u.id')))))
      .execute();
    assert.deepEqual(
      byColumn.map((r) => r.id),
      [b],
    );
  });
});
