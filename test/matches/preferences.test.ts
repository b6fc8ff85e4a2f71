import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { koreanDate } from '../../src/lib/time.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { ids, man, recommendations, woman } from './helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

/** Every test starts on a Korean day of its own, so that each caller's first call builds a fresh set. */
let day = 0;
beforeEach(() => {
  day += 1;
  t.clock.now = new Date(Date.UTC(2031, 5, 1 + day, 3));
});

const put = async (user: TestUser, body: Record<string, unknown>) => {
  const res = await api.put('/api/users/me', { token: user.accessToken, body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
};
const recIds = async (user: TestUser) => {
  const res = await recommendations(api, user, 50);
  assert.equal(res.status, 200);
  return ids(res.body);
};
/** The birth date on which someone is exactly `age` today (their birthday), shifted by `days`. */
function bornAged(age: number, days = 0): string {
  const today = koreanDate(t.clock.now);
  const d = new Date(`${Number(today.slice(0, 4)) - age}${today.slice(4)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('recommendations respect both sides’ discovery preferences', () => {
  it("age: the caller's range is inclusive at both ends, by international age on the Korean date", async () => {
    const me = await man(api, { birth_date: bornAged(30) });
    await put(me, { age_min: 28, age_max: 32 });
    const atMin = await woman(api, { birth_date: bornAged(28) }); // 28 today
    const justUnder = await woman(api, { birth_date: bornAged(28, 1) }); // turns 28 tomorrow
    const atMax = await woman(api, { birth_date: bornAged(32, -364) }); // 32 until tomorrow... or today's last day of it
    const justOver = await woman(api, { birth_date: bornAged(33) }); // 33 today
    const list = await recIds(me);
    assert.ok(list.includes(atMin.id), 'exactly age_min');
    assert.ok(list.includes(atMax.id), 'still age_max');
    assert.ok(!list.includes(justUnder.id), 'one day short of age_min');
    assert.ok(!list.includes(justOver.id), 'past age_max');
  });

  it("age: the candidate's own range must include the caller", async () => {
    const me = await man(api, { birth_date: bornAged(40) });
    const wantsYounger = await woman(api, { birth_date: bornAged(38) });
    await put(wantsYounger, { age_max: 39 });
    const wantsExactly40 = await woman(api, { birth_date: bornAged(38) });
    await put(wantsExactly40, { age_min: 40, age_max: 40 });
    const wantsOlder = await woman(api, { birth_date: bornAged(38) });
    await put(wantsOlder, { age_min: 41 });
    const list = await recIds(me);
    assert.ok(!list.includes(wantsYounger.id));
    assert.ok(list.includes(wantsExactly40.id));
    assert.ok(!list.includes(wantsOlder.id));
  });

  it("regions: the caller's preferred regions, the candidate's, and region null fitting only 'anywhere'", async () => {
    const me = await man(api);
    await put(me, { region: 'daegu', preferred_regions: ['daegu', 'gyeongbuk'] });
    const inDaegu = await woman(api);
    await put(inDaegu, { region: 'daegu' });
    const inGyeongbuk = await woman(api);
    await put(inGyeongbuk, { region: 'gyeongbuk', preferred_regions: ['gyeongbuk', 'daegu'] });
    const inSeoul = await woman(api);
    await put(inSeoul, { region: 'seoul' });
    const noRegion = await woman(api);
    const daeguButOnlyBusan = await woman(api);
    await put(daeguButOnlyBusan, { region: 'daegu', preferred_regions: ['busan'] });
    const list = await recIds(me);
    assert.ok(list.includes(inDaegu.id));
    assert.ok(list.includes(inGyeongbuk.id));
    assert.ok(!list.includes(inSeoul.id), 'outside my regions');
    assert.ok(!list.includes(noRegion.id), 'an unknown region does not fit a restriction');
    assert.ok(!list.includes(daeguButOnlyBusan.id), 'she does not accept my region');

    // A caller without a region is recommended only to people who accept anywhere.
    const nowhere = await man(api);
    const anywhere = await woman(api);
    const onlySeoul = await woman(api);
    await put(onlySeoul, { region: 'seoul', preferred_regions: ['seoul'] });
    const fromNowhere = await recIds(nowhere);
    assert.ok(fromNowhere.includes(anywhere.id));
    assert.ok(!fromNowhere.includes(onlySeoul.id));
    assert.ok(fromNowhere.includes(noRegion.id), 'anywhere accepts an unknown region');
  });

  it('gender: interest both ways still applies', async () => {
    const me = await man(api);
    const wantsWomen = await woman(api);
    await put(wantsWomen, { interested_in: ['female'] });
    const wantsMen = await woman(api);
    const list = await recIds(me);
    assert.ok(!list.includes(wantsWomen.id));
    assert.ok(list.includes(wantsMen.id));
  });

  it('someone not discoverable never appears, and still gets their own recommendations', async () => {
    const me = await man(api);
    const paused = await woman(api);
    await put(paused, { discoverable: false });
    const visible = await woman(api);
    const list = await recIds(me);
    assert.ok(!list.includes(paused.id));
    assert.ok(list.includes(visible.id));
    const theirs = await recIds(paused);
    assert.ok(theirs.includes(me.id));
  });
});

describe("today's set with preferences", () => {
  it("stays stable when the caller changes preferences; the change shapes the next day's set", async () => {
    const me = await man(api, { birth_date: bornAged(33) });
    const a = await woman(api, { birth_date: bornAged(31) });
    const b = await woman(api, { birth_date: bornAged(45) });
    const first = await recIds(me);
    assert.ok(first.includes(a.id) && first.includes(b.id));
    await put(me, { age_max: 40 });
    assert.deepEqual(await recIds(me), first, 'same people, same order, the rest of the day');
    t.clock.now = new Date(t.clock.now.getTime() + 86_400_000);
    const next = await recIds(me);
    assert.ok(next.includes(a.id));
    assert.ok(!next.includes(b.id));
  });

  it('a preference change before the first call of the day shapes that day’s set', async () => {
    const me = await man(api, { birth_date: bornAged(50) });
    const young = await woman(api, { birth_date: bornAged(25) });
    await put(me, { age_min: 45 });
    assert.ok(!(await recIds(me)).includes(young.id));
  });

  it('someone in the stored set who turns discoverable off or stops accepting the caller leaves it at once', async () => {
    const me = await man(api, { birth_date: bornAged(35) });
    await put(me, { region: 'gwangju' });
    const pauses = await woman(api);
    const narrowsAge = await woman(api);
    const narrowsRegion = await woman(api);
    const changesInterest = await woman(api);
    const stays = await woman(api);
    const first = await recIds(me);
    for (const p of [pauses, narrowsAge, narrowsRegion, changesInterest, stays]) assert.ok(first.includes(p.id));

    await put(pauses, { discoverable: false });
    await put(narrowsAge, { age_max: 34 });
    await put(narrowsRegion, { preferred_regions: ['jeonnam'] });
    await put(changesInterest, { interested_in: ['female'] });
    const now = await recIds(me);
    assert.deepEqual(
      now,
      first.filter((id) => ![pauses.id, narrowsAge.id, narrowsRegion.id, changesInterest.id].includes(id)),
      'the rest keep their order',
    );
    assert.ok(now.includes(stays.id));

    // And back: turning discoverable on again or widening preferences brings them back the same day.
    await put(pauses, { discoverable: true });
    await put(narrowsRegion, { preferred_regions: ['jeonnam', 'gwangju'] });
    const back = await recIds(me);
    assert.ok(back.includes(pauses.id) && back.includes(narrowsRegion.id));
    assert.deepEqual(
      back,
      first.filter((id) => ![narrowsAge.id, changesInterest.id].includes(id)),
    );
  });
});

describe('recommendations with preferences: exactly the rules, on both paths', () => {
  it("every person returned fits both ways, and nobody who fits is left out for someone with a lower score", async () => {
    const { compatibilityScore } = await import('../../src/saju/index.js');
    const regions = ['seoul', 'gyeonggi', 'busan', 'jeju', null] as const;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const people: TestUser[] = [];
    for (let i = 0; i < 48; i += 1) {
      const age = 22 + Math.floor(rand() * 25);
      const person = i % 2 === 0 ? await man(api, { birth_date: bornAged(age, -Math.floor(rand() * 300)) }) : await woman(api, { birth_date: bornAged(age, -Math.floor(rand() * 300)) });
      const region = regions[Math.floor(rand() * regions.length)]!;
      const prefs: Record<string, unknown> = { region };
      const r = rand();
      if (r < 0.4) Object.assign(prefs, { age_min: Math.max(19, age - 5), age_max: age + 5 });
      else if (r < 0.6) prefs.age_min = Math.max(19, age - 2);
      const p = rand();
      if (region !== null && p < 0.35) prefs.preferred_regions = [region];
      else if (p < 0.5) prefs.preferred_regions = ['seoul', 'gyeonggi'];
      await put(person, prefs);
      people.push(person);
    }
    const db = t.database.db;
    const today = koreanDate(t.clock.now);
    const users = await db
      .selectFrom('users')
      .select(['id', 'gender', 'interested_in', 'saju_key', 'birth_date', 'region', 'preferred_regions', 'age_min', 'age_max', 'discoverable'])
      .execute();
    const byId = new Map(users.map((u) => [u.id, u]));
    const { internationalAge } = await import('../../src/lib/time.js');
    type U = (typeof users)[number];
    const accepts = (a: U, b: U) => {
      const age = internationalAge(b.birth_date, today);
      return (
        a.interested_in.includes(b.gender) &&
        (a.age_min === null || age >= a.age_min) &&
        (a.age_max === null || age <= a.age_max) &&
        (a.preferred_regions.length === 0 || (b.region !== null && a.preferred_regions.includes(b.region)))
      );
    };
    const matchRows = await db.selectFrom('matches').select(['requester_id', 'receiver_id']).execute();
    for (const caller of people) {
      const me = byId.get(caller.id)!;
      const fits = users.filter(
        (u) =>
          u.id !== me.id &&
          u.discoverable &&
          accepts(me, u) &&
          accepts(u, me) &&
          !matchRows.some((m) => (m.requester_id === me.id && m.receiver_id === u.id) || (m.requester_id === u.id && m.receiver_id === me.id)),
      );
      const res = await recommendations(api, caller, 50);
      assert.equal(res.status, 200);
      const got = res.body as Array<{ user_id: number; compatibility_score: number }>;
      const fitIds = new Set(fits.map((u) => u.id));
      for (const r of got) {
        assert.ok(fitIds.has(r.user_id), `caller ${me.id}: ${r.user_id} does not fit both ways`);
        assert.equal(r.compatibility_score, compatibilityScore(me.saju_key, byId.get(r.user_id)!.saju_key));
      }
      assert.equal(got.length, Math.min(50, fits.length), `caller ${me.id}: everyone who fits, up to 50`);
      if (got.length === 50) {
        const lowest = got[got.length - 1]!.compatibility_score;
        const better = fits.filter((u) => compatibilityScore(me.saju_key, u.saju_key) > lowest).map((u) => u.id);
        for (const id of better) assert.ok(got.some((r) => r.user_id === id), `caller ${me.id}: ${id} scores above the last one returned`);
      }
    }
  });
});

describe('suspended people', () => {
  it('leave a stored set at once and are never picked', async () => {
    const me = await man(api);
    const s = await woman(api);
    assert.ok((await recIds(me)).includes(s.id));
    await t.database.db.updateTable('users').set({ suspended_until: new Date(Date.now() + 86_400_000) }).where('id', '=', s.id).execute();
    assert.ok(!(await recIds(me)).includes(s.id), 'gone from the stored set');
    t.clock.now = new Date(t.clock.now.getTime() + 86_400_000);
    const other = await man(api);
    assert.ok(!(await recIds(other)).includes(s.id), 'not picked for a new set');
  });
});
