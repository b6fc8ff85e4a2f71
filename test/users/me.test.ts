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

describe('GET /api/users/me', () => {
  it('returns the full own profile with nulls for absent fields and default interests', async () => {
    const user = await createUser(api, { gender: 'male', birth_date: '1992-07-04' });
    const res = await api.get('/api/users/me', { token: user.accessToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.user_id, user.id);
    assert.equal(res.body.email, user.email);
    assert.equal(res.body.name, user.name);
    assert.equal(res.body.birth_date, '1992-07-04');
    assert.equal(res.body.gender, 'male');
    for (const f of ['location', 'job', 'bio', 'profile_img_url', 'birth_time']) assert.equal(res.body[f], null, f);
    assert.match(res.body.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.deepEqual(res.body.interested_in, ['female']);
    assert.equal(res.body.birth_calendar, 'solar');
    assert.equal('password_hash' in res.body, false);
  });

  it('defaults interests by gender: female → male, other → everyone', async () => {
    const f = await createUser(api, { gender: 'female' });
    const o = await createUser(api, { gender: 'other' });
    assert.deepEqual((await api.get('/api/users/me', { token: f.accessToken })).body.interested_in, ['male']);
    assert.deepEqual((await api.get('/api/users/me', { token: o.accessToken })).body.interested_in, ['male', 'female', 'other']);
  });
});

describe('PUT /api/users/me', () => {
  it('updates any subset, trims, and null clears', async () => {
    const user = await createUser(api);
    const res = await api.put('/api/users/me', {
      token: user.accessToken,
      body: { location: ' 서울 ', job: '개발자', bio: '안녕하세요', profile_img_url: 'https://img.example.com/a.jpg' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Profile updated successfully' });
    let me = (await api.get('/api/users/me', { token: user.accessToken })).body;
    assert.equal(me.location, '서울');
    assert.equal(me.job, '개발자');
    assert.equal(me.bio, '안녕하세요');
    assert.equal(me.profile_img_url, 'https://img.example.com/a.jpg');

    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { job: null } })).status, 200);
    me = (await api.get('/api/users/me', { token: user.accessToken })).body;
    assert.equal(me.job, null);
    assert.equal(me.location, '서울', 'fields not sent stay as they were');

    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { interested_in: ['male', 'other'] } })).status, 200);
    me = (await api.get('/api/users/me', { token: user.accessToken })).body;
    assert.deepEqual(me.interested_in.sort(), ['male', 'other']);

    // null, like for the other fields, clears the choice: back to the default for the gender.
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { interested_in: null } })).status, 200);
    me = (await api.get('/api/users/me', { token: user.accessToken })).body;
    assert.equal(me.gender, 'female');
    assert.deepEqual(me.interested_in, ['male']);
  });

  it('accepts the limits exactly and refuses one character more', async () => {
    const user = await createUser(api);
    const ok = { location: 'l'.repeat(255), job: 'j'.repeat(255), bio: 'b'.repeat(2000), profile_img_url: 'https://x.io/' + 'p'.repeat(2035) };
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: ok })).status, 200);
    for (const [field, value] of Object.entries(ok)) {
      const res = await api.put('/api/users/me', { token: user.accessToken, body: { [field]: value + 'x' } });
      assert.equal(res.status, 400, field);
      assert.equal(res.body.details[0].field, field);
    }
  });

  it('400 for non-http URLs, unknown or immutable fields, wrong types and bad interests', async () => {
    const user = await createUser(api);
    const bad: Array<Record<string, unknown>> = [
      { profile_img_url: 'javascript:alert(1)' },
      { profile_img_url: 'ftp://example.com/a.png' },
      { profile_img_url: 'not a url' },
      { email: 'new@example.com' },
      { birth_date: '1990-01-01' },
      { name: 'New name' },
      { location: 12 },
      { interested_in: [] },
      { interested_in: ['robots'] },
      { interested_in: ['male', 'male'] },
    ];
    for (const body of bad) {
      const res = await api.put('/api/users/me', { token: user.accessToken, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.error, 'string');
    }
    const me = (await api.get('/api/users/me', { token: user.accessToken })).body;
    assert.equal(me.email, user.email, 'nothing changed');
  });

  it('401 without a token', async () => {
    assert.equal((await api.put('/api/users/me', { body: { bio: 'x' } })).status, 401);
  });
});

describe('DELETE /api/users/me', () => {
  it('401 with a wrong password and the account stays', async () => {
    const user = await createUser(api);
    const res = await api.del('/api/users/me', { token: user.accessToken, body: { password: 'wrong password' } });
    assert.equal(res.status, 401);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).status, 200);
  });

  it('400 without a password', async () => {
    const user = await createUser(api);
    assert.equal((await api.del('/api/users/me', { token: user.accessToken, body: {} })).status, 400);
    assert.equal((await api.del('/api/users/me', { token: user.accessToken })).status, 400);
  });

  it('204: removes the person and their sessions, and frees the email', async () => {
    const user = await createUser(api);
    const res = await api.del('/api/users/me', { token: user.accessToken, body: { password: user.password } });
    assert.equal(res.status, 204);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).status, 401);
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status, 401);
    const login = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal(login.status, 401);
    const rows = await t.database.db.selectFrom('users').select('id').where('id', '=', user.id).execute();
    assert.equal(rows.length, 0);
    const sessions = await t.database.db.selectFrom('auth_sessions').select('id').where('user_id', '=', user.id).execute();
    assert.equal(sessions.length, 0);
    const again = await api.post('/api/users/register', {
      body: { email: user.email, password: 'another password', name: 'Again', birth_date: '1990-05-05', gender: 'male' },
    });
    assert.equal(again.status, 201);
  });
});
