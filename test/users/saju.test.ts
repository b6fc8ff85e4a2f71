import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

describe('GET /api/users/me/saju', () => {
  it('returns the chart of a solar birthday with a birth time', async () => {
    // 2000-01-01 is a 戊午 day; at 13:30 the hour branch is 未 and, for a 戊 day, the hour stem 己.
    // Before 입춘 2000 the year is still 己卯 and the month (after 小寒, Jan 6 1999…) is 丙子.
    const user = await createUser(api, { birth_date: '2000-01-01', birth_time: '13:30', gender: 'male' });
    const res = await api.get('/api/users/me/saju', { token: user.accessToken });
    assert.equal(res.status, 200);
    const { pillars, day_master, zodiac, elements, ambiguous } = res.body;
    assert.equal(pillars.day.hanja, '戊午');
    assert.equal(pillars.day.hangul, '무오');
    assert.equal(pillars.year.hanja, '己卯');
    assert.equal(pillars.month.hanja, '丙子');
    assert.equal(pillars.hour.hanja, '己未');
    assert.deepEqual(day_master, { hanja: '戊', hangul: '무', element: 'earth', yin_yang: 'yang' });
    assert.deepEqual(pillars.day.stem, day_master);
    assert.equal(pillars.day.branch.hanja, '午');
    assert.equal(pillars.day.branch.element, 'fire');
    assert.equal(zodiac.hangul, '묘');
    assert.equal(zodiac.animal, '토끼');
    const total = Object.values(elements as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(total, 8);
    assert.deepEqual(ambiguous, []);
  });

  it('without a birth time: hour is null, six characters, and a jie day is flagged ambiguous', async () => {
    // 입춘 2000 fell on 2000-02-04 (Korean time): both year and month may change with the hour.
    const user = await createUser(api, { birth_date: '2000-02-04' });
    const res = await api.get('/api/users/me/saju', { token: user.accessToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.pillars.hour, null);
    const total = Object.values(res.body.elements as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(total, 6);
    assert.deepEqual([...res.body.ambiguous].sort(), ['month', 'year']);
  });

  it('401 without a token', async () => {
    assert.equal((await api.get('/api/users/me/saju')).status, 401);
  });
});
