import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compatibilityScore } from '../../src/saju/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { BIRTH_DATES, ids, man, nextKoreanMidnight, recommendations, sendRequest, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

/** Everyone `userId` may be recommended right now, scored: the rules computed the slow way. */
async function oracle(userId: number): Promise<Map<number, number>> {
  const db = t.database.db;
  const users = await db.selectFrom('users').select(['id', 'gender', 'interested_in', 'saju_key']).execute();
  const me = users.find((u) => u.id === userId)!;
  const matches = await db.selectFrom('matches').select(['requester_id', 'receiver_id']).execute();
  const blocks = await db.selectFrom('blocks').select(['blocker_id', 'blocked_id']).execute();
  const out = new Map<number, number>();
  for (const u of users) {
    if (u.id === userId || !me.interested_in.includes(u.gender) || !u.interested_in.includes(me.gender)) continue;
    if (matches.some((m) => (m.requester_id === userId && m.receiver_id === u.id) || (m.requester_id === u.id && m.receiver_id === userId))) continue;
    if (blocks.some((b) => (b.blocker_id === userId && b.blocked_id === u.id) || (b.blocker_id === u.id && b.blocked_id === userId))) continue;
    out.set(u.id, compatibilityScore(me.saju_key, u.saju_key));
  }
  return out;
}

function assertSortedByScore(list: Array<{ compatibility_score: number }>) {
  for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.compatibility_score >= list[i]!.compatibility_score, 'highest score first');
}

describe('GET /api/matches/recommendations: who', () => {
  it('is exactly the brute-force answer: interest both ways, no match row, no block, best score first', async () => {
    t.clock.now = new Date('2032-01-10T03:00:00.000Z');
    const me = await man(api, { birth_date: '1991-10-10' });
    await api.put('/api/users/me', { token: me.accessToken, body: { interested_in: ['female', 'other'] } });
    const people: TestUser[] = [];
    for (const [i, date] of BIRTH_DATES.entries()) people.push(i % 3 === 2 ? await man(api, { birth_date: date }) : await woman(api, { birth_date: date }));
    const other = await createUser(api, { gender: 'other', birth_date: '1990-02-02' }); // interested in everyone
    const onlyWomen = await woman(api, { birth_date: '1990-03-03' });
    await api.put('/api/users/me', { token: onlyWomen.accessToken, body: { interested_in: ['female'] } });
    const [w1, w2, w3, w4] = people.filter((_, i) => i % 3 !== 2);
    await sendRequest(api, me, w1!); // requested by me
    const theirs = await sendRequest(api, w2!, me); // requested by them, then declined by me
    await api.post(`/api/matches/${theirs.body.match_id}/decline`, { token: me.accessToken });
    await api.post(`/api/users/${w3!.id}/block`, { token: me.accessToken });
    await api.post(`/api/users/${me.id}/block`, { token: w4!.accessToken });
    const gone = await woman(api, { birth_date: '1993-01-01' });
    await api.del('/api/users/me', { token: gone.accessToken, body: { password: gone.password } });

    const expected = await oracle(me.id);
    const res = await recommendations(api, me, 50);
    assert.equal(res.status, 200);
    const got = ids(res.body);
    assert.deepEqual(new Set(got), new Set(expected.keys()));
    assert.equal(got.length, expected.size);
    for (const p of res.body) assert.equal(p.compatibility_score, expected.get(p.user_id), `score of ${p.user_id}`);
    assertSortedByScore(res.body);
    for (const excluded of [me, w1!, w2!, w3!, w4!, onlyWomen, gone]) assert.ok(!got.includes(excluded.id), `excluded ${excluded.id}`);
    assert.ok(!people.filter((_, i) => i % 3 === 2).some((m) => got.includes(m.id)), 'no men for a man interested in women and others');
    assert.ok(got.includes(other.id), '"other" is interested in everyone by default, and he in them');
  });

  it('returns the contract fields, age in Korean time, and honours limit (default 10, 1–50)', async () => {
    // 00:30 on 15 March in Korea, still 14 March in UTC: someone born 2000-03-15 is 30 today.
    t.clock.now = new Date('2030-03-14T15:30:00.000Z');
    const me = await man(api, { birth_date: '1988-08-08' });
    const birthday = await woman(api, { birth_date: '2000-03-15' });
    await api.put('/api/users/me', {
      token: birthday.accessToken,
      body: { location: '서울 마포구', bio: '안녕하세요', job: '기자', profile_img_url: 'https://img.example.com/x.jpg' },
    });
    for (let i = 0; i < 11; i++) await woman(api, { birth_date: BIRTH_DATES[i % BIRTH_DATES.length] });
    const all = (await recommendations(api, me, 50)).body;
    const entry = all.find((p: any) => p.user_id === birthday.id);
    const compat = await api.get(`/api/matches/compatibility/${birthday.id}`, { token: me.accessToken });
    assert.deepEqual(entry, {
      user_id: birthday.id,
      name: birthday.name,
      age: 30,
      location: '서울 마포구',
      bio: '안녕하세요',
      profile_img_url: 'https://img.example.com/x.jpg',
      compatibility_score: compat.body.compatibility_score,
    });
    const byDefault = await recommendations(api, me);
    assert.equal(byDefault.status, 200);
    assert.deepEqual(byDefault.body, all.slice(0, 10));
    assert.deepEqual((await recommendations(api, me, 1)).body, all.slice(0, 1));
    for (const bad of ['0', '51', '-1', 'abc', '2.5']) {
      const res = await api.get(`/api/matches/recommendations?limit=${bad}`, { token: me.accessToken });
      assert.equal(res.status, 400, bad);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await api.get('/api/matches/recommendations')).status, 401);
  });
});

describe("GET /api/matches/recommendations: today's set is stable", () => {
  it('same people in the same order all day, minus those since requested, declined or blocked', async () => {
    t.clock.now = new Date('2033-04-01T00:00:00.000Z'); // 09:00 KST
    const me = await woman(api, { birth_date: '1994-09-09' });
    const pool: TestUser[] = [];
    for (const date of BIRTH_DATES.slice(0, 8)) pool.push(await man(api, { birth_date: date }));
    const first = (await recommendations(api, me, 50)).body;
    assert.ok(first.length >= 8);
    assertSortedByScore(first);

    // Later the same Korean day: a newcomer does not change today's set.
    t.clock.now = new Date('2033-04-01T14:59:59.999Z'); // 23:59:59.999 KST
    const newcomer = await man(api, { birth_date: '1992-12-25' });
    assert.deepEqual((await recommendations(api, me, 50)).body, first);

    const [x0, x1, x2, x3] = first.map((p: any) => p.user_id as number).filter((id: number) => pool.some((u) => u.id === id));
    await sendRequest(api, me, x0!);
    const their = await api.post('/api/matches/request', { token: pool.find((p) => p.id === x1)!.accessToken, body: { receiver_id: me.id } });
    await api.post(`/api/matches/${their.body.match_id}/decline`, { token: me.accessToken });
    await api.post(`/api/users/${x2}/block`, { token: me.accessToken });
    await api.post(`/api/users/${me.id}/block`, { token: pool.find((p) => p.id === x3)!.accessToken });
    const later = (await recommendations(api, me, 50)).body;
    assert.deepEqual(later, first.filter((p: any) => ![x0, x1, x2, x3].includes(p.user_id)));
    assert.deepEqual((await recommendations(api, me, 2)).body, later.slice(0, 2));

    // 00:00 KST: a new day, a new set, computed from the people there are now.
    t.clock.now = nextKoreanMidnight(new Date('2033-04-01T00:00:00.000Z'));
    const tomorrow = ids((await recommendations(api, me, 50)).body);
    assert.ok(tomorrow.includes(newcomer.id), 'the newcomer can appear on the new day');
    for (const hidden of [x0, x1, x2, x3]) assert.ok(!tomorrow.includes(hidden!), `still excluded: ${hidden}`);
  });

  it('a small first limit still fixes the whole day: a larger later limit slices the same set', async () => {
    t.clock.now = new Date('2033-05-01T03:00:00.000Z');
    const me = await man(api, { birth_date: '1993-06-06' });
    const expected = await oracle(me.id);
    const one = (await recommendations(api, me, 1)).body;
    assert.equal(one.length, 1);
    await woman(api, { birth_date: '1991-01-21' }); // arrives after the day's set was fixed
    const all = (await recommendations(api, me, 50)).body;
    assert.equal(all.length, Math.min(50, expected.size));
    assert.deepEqual(all[0], one[0]);
  });

  it('a deleted account leaves the set (and its rows) at once', async () => {
    t.clock.now = new Date('2033-06-01T03:00:00.000Z');
    const me = await man(api, { birth_date: '1990-11-11' });
    const leaving = await woman(api, { birth_date: '1992-02-29' });
    assert.ok(ids((await recommendations(api, me, 50)).body).includes(leaving.id));
    await api.del('/api/users/me', { token: leaving.accessToken, body: { password: leaving.password } });
    assert.ok(!ids((await recommendations(api, me, 50)).body).includes(leaving.id));
    const rows = await t.database.db.selectFrom('daily_recommendations').select('user_id').where('candidate_id', '=', leaving.id).execute();
    assert.equal(rows.length, 0);
  });

  it('parallel first calls of the day all get the one stored set', async () => {
    t.clock.now = new Date('2033-07-01T03:00:00.000Z');
    const me = await woman(api, { birth_date: '1996-04-04' });
    const results = await Promise.all(Array.from({ length: 6 }, () => recommendations(api, me, 50)));
    for (const r of results) assert.deepEqual(r.body, results[0]!.body);
    const sets = await t.database.db.selectFrom('daily_recommendation_sets').select('kst_date').where('user_id', '=', me.id).execute();
    assert.equal(sets.length, 1);
  });
});

describe('GET /api/matches/compatibility/{user_id}', () => {
  it('is symmetric, explains itself, and agrees with recommendations', async () => {
    t.clock.now = new Date('2034-01-01T03:00:00.000Z');
    const people: TestUser[] = [];
    for (const [i, date] of BIRTH_DATES.slice(0, 5).entries()) people.push(await (i % 2 ? man : woman)(api, { birth_date: date }));
    people.push(await woman(api, { birth_date: '1995-07-07', birth_time: '06:30' }));
    people.push(await man(api, { birth_date: '1962-08-15', birth_calendar: 'lunar' }));
    for (const a of people) {
      for (const b of people) {
        if (a === b) continue;
        const ab = await api.get(`/api/matches/compatibility/${b.id}`, { token: a.accessToken });
        const ba = await api.get(`/api/matches/compatibility/${a.id}`, { token: b.accessToken });
        assert.equal(ab.status, 200);
        assert.equal(ab.body.user_id, b.id);
        assert.equal(ab.body.compatibility_score, ba.body.compatibility_score, `score(${a.id}, ${b.id}) = score(${b.id}, ${a.id})`);
        assert.ok(Number.isInteger(ab.body.compatibility_score) && ab.body.compatibility_score >= 0 && ab.body.compatibility_score <= 100);
        const sum = ab.body.breakdown.reduce((s: number, r: any) => s + r.points, 0);
        assert.equal(sum, ab.body.compatibility_score, 'the breakdown adds up to the score');
        for (const row of ab.body.breakdown) {
          assert.deepEqual(Object.keys(row).sort(), ['description', 'points', 'rule']);
          assert.match(row.description, /[가-힣]/);
        }
        assert.match(ab.body.summary, /[가-힣]/);
      }
    }
    const [w, m] = people;
    const rec = (await recommendations(api, m!, 50)).body.find((p: any) => p.user_id === w!.id);
    const direct = await api.get(`/api/matches/compatibility/${w!.id}`, { token: m!.accessToken });
    assert.equal(rec.compatibility_score, direct.body.compatibility_score);
  });

  it('400 for the own or a malformed id, 404 for unknown or blocked users, 401 without a token', async () => {
    const a = await man(api);
    const b = await woman(api);
    assert.equal((await api.get(`/api/matches/compatibility/${a.id}`, { token: a.accessToken })).status, 400);
    for (const bad of ['abc', '0', '-4']) assert.equal((await api.get(`/api/matches/compatibility/${bad}`, { token: a.accessToken })).status, 400);
    assert.equal((await api.get('/api/matches/compatibility/2000000000', { token: a.accessToken })).status, 404);
    await api.post(`/api/users/${a.id}/block`, { token: b.accessToken });
    const blocked = await api.get(`/api/matches/compatibility/${b.id}`, { token: a.accessToken });
    assert.equal(blocked.status, 404);
    assert.equal('compatibility_score' in blocked.body, false);
    assert.equal((await api.get(`/api/matches/compatibility/${a.id}`, { token: b.accessToken })).status, 404);
    assert.equal((await api.get(`/api/matches/compatibility/${b.id}`)).status, 401);
  });
});
