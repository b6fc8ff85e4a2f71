import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chartKey, computeChart } from '../../src/saju/index.js';
import { insertUsers } from '../../scripts/lib/bulk-users.js';
import type { DemoUser } from '../../scripts/lib/demo-users.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { ids, man, recommendations } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
let me: TestUser;
const POOL = 60;

before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
  t.clock.now = new Date('2035-02-01T03:00:00.000Z');
  me = await man(api, { birth_date: '1990-05-05' });
  // More eligible women than one day's set holds (50), inserted in bulk (registration is not under test).
  const women: DemoUser[] = Array.from({ length: POOL }, (_, i) => {
    const birthDate = new Date(Date.UTC(1988, 0, 1 + i * 37)).toISOString().slice(0, 10);
    return {
      name: `후보${i}`, gender: 'female', birthDate, birthTime: null, calendar: 'solar', lunarBirthDate: null,
      interestedIn: ['male'], location: null, job: null, bio: null, sajuKey: chartKey(computeChart({ birthDate })),
    };
  });
  await insertUsers(t.database.db, women, women.map((_, i) => `pool${i}@example.com`), 'not-a-login');
});
after(async () => t.close());

const day = (n: number) => new Date(Date.UTC(2035, 1, n, 3));

describe('a new Korean day rotates the set', () => {
  it('people not shown yesterday come before those shown on the previous two days', async () => {
    t.clock.now = day(1);
    const first = (await recommendations(api, me, 50)).body;
    assert.equal(first.length, 50);
    const unseen = (await t.database.db.selectFrom('users').select('id').where('gender', '=', 'female').execute())
      .map((u) => u.id)
      .filter((id) => !ids(first).includes(id));
    assert.equal(unseen.length, POOL - 50);

    t.clock.now = day(2);
    const second = (await recommendations(api, me, 50)).body;
    assert.equal(second.length, 50);
    for (const id of unseen) assert.ok(ids(second).includes(id), `unseen ${id} shown on day 2`);
    for (let i = 1; i < second.length; i++) assert.ok(second[i - 1].compatibility_score >= second[i].compatibility_score);

    // Day 3: everyone was shown on day 1 or 2, so the best scores fill the set.
    t.clock.now = day(3);
    const third = (await recommendations(api, me, 50)).body;
    assert.equal(third.length, 50);
    const scores = new Map([...first, ...second].map((p: any) => [p.user_id, p.compatibility_score]));
    const left = [...scores.keys()].filter((id) => !ids(third).includes(id));
    const lowestTaken = Math.min(...third.map((p: any) => p.compatibility_score));
    for (const id of left) assert.ok(scores.get(id)! <= lowestTaken, 'nobody left out scores higher than someone taken');
  });

  it('the stored history stays short: sets older than two days are pruned', async () => {
    t.clock.now = day(6);
    await recommendations(api, me, 50);
    const dates = await t.database.db.selectFrom('daily_recommendation_sets').select('kst_date').where('user_id', '=', me.id).execute();
    assert.deepEqual(dates.map((d) => d.kst_date).sort(), ['2035-02-06']);
  });
});
