import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { userInput } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
  t.clock.now = new Date('2026-06-01T03:00:00Z');
});
after(async () => t.close());

describe('POST /api/users/register', () => {
  it('creates an account: 201 { user_id, name, email } with the email normalised', async () => {
    const input = userInput({ email: '  Mixed.Case@Example.COM ', name: '  김지수  ' });
    const res = await api.post('/api/users/register', { body: input });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['email', 'name', 'user_id']);
    assert.equal(res.body.email, 'mixed.case@example.com');
    assert.equal(res.body.name, '김지수');
    assert.ok(Number.isInteger(res.body.user_id) && res.body.user_id > 0);
  });

  it('refuses a second account for the same address in another case: 409', async () => {
    const input = userInput({ email: 'dup@example.com' });
    assert.equal((await api.post('/api/users/register', { body: input })).status, 201);
    const again = await api.post('/api/users/register', { body: { ...input, email: 'DUP@example.com' } });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { error: 'Email already registered' });
  });

  it('lets exactly one of two racing registrations of one address win', async () => {
    const input = userInput({ email: 'race@example.com' });
    const results = await Promise.all([1, 2, 3].map(() => api.post('/api/users/register', { body: input })));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
  });

  const invalidCases: Array<[string, Record<string, unknown>, string]> = [
    ['email without @', { email: 'not-an-email' }, 'email'],
    ['email over 255 chars', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    ...['a@x..com', '.a@x.com', 'a.@x.com', 'a..b@x.com', 'a@-x.com', 'a@x-.com', 'a@x.com.', 'a@b', 'a@b.c', '@x.com', 'a@', 'a b@x.com', '"a"@x.com', 'a@[1.2.3.4]', 'a@@x.com'].map(
      (email): [string, Record<string, unknown>, string] => [`email ${email}`, { email }, 'email'],
    ),
    ['password of 7 chars', { password: '1234567' }, 'password'],
    ['password of 129 chars', { password: 'x'.repeat(129) }, 'password'],
    ['blank name', { name: '   ' }, 'name'],
    ['name of 101 chars', { name: '가'.repeat(101) }, 'name'],
    ['February 30th', { birth_date: '1995-02-30' }, 'birth_date'],
    ['month 13', { birth_date: '1995-13-01' }, 'birth_date'],
    ['date before 1900', { birth_date: '1899-12-31' }, 'birth_date'],
    ['a date in another format', { birth_date: '15/03/1995' }, 'birth_date'],
    ['a minor by the Korean year count', { birth_date: '2008-01-01' }, 'birth_date'],
    ['a future date', { birth_date: '2030-01-01' }, 'birth_date'],
    ['unknown gender', { gender: 'robot' }, 'gender'],
    ['birth time 24:00', { birth_time: '24:00' }, 'birth_time'],
    ['birth time without minutes', { birth_time: '7' }, 'birth_time'],
    ['leap month with a solar calendar', { is_leap_month: true }, 'is_leap_month'],
    ['unknown calendar', { birth_calendar: 'julian' }, 'birth_calendar'],
    ['an extra field', { role: 'admin' }, 'role'],
    ['email as a number', { email: 42 }, 'email'],
  ];
  for (const [label, override, fieldName] of invalidCases) {
    it(`400 for ${label}`, async () => {
      const res = await api.post('/api/users/register', { body: { ...userInput(), ...override } });
      assert.equal(res.status, 400, res.text);
      assert.equal(typeof res.body.error, 'string');
      assert.ok(res.body.details.some((d: { field: string }) => d.field === fieldName), res.text);
    });
  }

  it('accepts unusual but valid addresses (plus tags, subdomains, international letters)', async () => {
    for (const email of [`first.last+tag-${Date.now()}@sub.example.co.kr`, `사용자${Date.now()}@예시.한국`, `x_y-${Date.now()}@a-b.io`]) {
      const res = await api.post('/api/users/register', { body: { ...userInput(), email } });
      assert.equal(res.status, 201, `${email}: ${res.text}`);
      assert.equal(res.body.email, email.toLowerCase());
    }
  });

  it('400 for each missing required field', async () => {
    for (const field of ['email', 'password', 'name', 'birth_date', 'gender']) {
      const body: Record<string, unknown> = userInput();
      delete body[field];
      const res = await api.post('/api/users/register', { body });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details[0], { field, message: 'is required' });
    }
  });

  it('accepts the youngest allowed birth year (Korean year count 19) and refuses the next', async () => {
    // Today is 2026-06-01 in Korea: 2026 − 2007 = 19 is allowed, 2008 is not.
    assert.equal((await api.post('/api/users/register', { body: userInput({ birth_date: '2007-12-31' }) })).status, 201);
    assert.equal((await api.post('/api/users/register', { body: userInput({ birth_date: '2008-01-01' }) })).status, 400);
  });

  it('takes null for the optional birth fields as "not given" (solar, no leap month, no time)', async () => {
    const input = { ...userInput({ birth_date: '1990-05-05' }), birth_time: null, birth_calendar: null, is_leap_month: null };
    assert.equal((await api.post('/api/users/register', { body: input })).status, 201);
    const login = await api.post('/api/users/login', { body: { email: input.email, password: input.password } });
    const me = (await api.get('/api/users/me', { token: login.body.access_token })).body;
    assert.equal(me.birth_calendar, 'solar');
    assert.equal(me.birth_time, null);
    assert.equal(me.solar_birth_date, '1990-05-05');
  });

  it('stores birth time and a lunar birthday, shown back by GET /me', async () => {
    const input = userInput({ birth_date: '1990-01-01', birth_calendar: 'lunar', birth_time: '23:30' });
    assert.equal((await api.post('/api/users/register', { body: input })).status, 201);
    const login = await api.post('/api/users/login', { body: { email: input.email, password: input.password } });
    const me = await api.get('/api/users/me', { token: login.body.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.birth_date, '1990-01-01');
    assert.equal(me.body.birth_calendar, 'lunar');
    assert.equal(me.body.birth_time, '23:30');
    // 1990 lunar new year (설날) was 1990-01-27 in the solar calendar.
    assert.equal(me.body.solar_birth_date, '1990-01-27');
  });

  it('refuses a lunar date that does not exist: 30th of a 29-day month, or a leap month the year lacks', async () => {
    // Lunar 1995 had a leap 8th month (윤8월); lunar 1996 had no leap month.
    const leapOk = await api.post('/api/users/register', {
      body: userInput({ birth_date: '1995-08-01', birth_calendar: 'lunar', is_leap_month: true }),
    });
    assert.equal(leapOk.status, 201, leapOk.text);
    const noLeap = await api.post('/api/users/register', {
      body: userInput({ birth_date: '1996-08-01', birth_calendar: 'lunar', is_leap_month: true }),
    });
    assert.equal(noLeap.status, 400);
    assert.equal(noLeap.body.details[0].field, 'birth_date');
  });
});
