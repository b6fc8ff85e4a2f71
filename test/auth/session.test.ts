import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, userInput } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp({ REFRESH_REUSE_GRACE_SECONDS: '1' });
  api = client(t.baseUrl);
});
after(async () => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('POST /api/users/login', () => {
  it('returns the contract body with a JWT whose sub is the user id', async () => {
    const input = userInput({ email: 'Login.Me@example.com' });
    const reg = await api.post('/api/users/register', { body: input });
    const res = await api.post('/api/users/login', { body: { email: 'login.me@EXAMPLE.com', password: input.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 900);
    assert.deepEqual(res.body.user, { user_id: reg.body.user_id, name: input.name, email: 'login.me@example.com' });
    assert.equal(typeof res.body.refresh_token, 'string');
    const payload = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    assert.equal(payload.sub, String(reg.body.user_id));
    assert.equal(payload.exp - payload.iat, 900);
  });

  it('answers a wrong password and an unknown email with the same 401 body', async () => {
    const user = await createUser(api);
    const wrong = await api.post('/api/users/login', { body: { email: user.email, password: 'wrong password!' } });
    const unknown = await api.post('/api/users/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, { error: 'Invalid email or password' });
    assert.deepEqual(unknown.body, wrong.body);
  });

  it('400 for a body without password, or with extra fields', async () => {
    assert.equal((await api.post('/api/users/login', { body: { email: 'a@b.co' } })).status, 400);
    assert.equal((await api.post('/api/users/login', { body: { email: 'a@b.co', password: 'x', x: 1 } })).status, 400);
  });

  it('gives each login its own session: logging out one device keeps the other', async () => {
    const user = await createUser(api);
    const second = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status, 204);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).status, 401);
    assert.equal((await api.get('/api/users/me', { token: second.body.access_token })).status, 200);
    const refreshed = await api.post('/api/auth/refresh', { body: { refresh_token: second.body.refresh_token } });
    assert.equal(refreshed.status, 200);
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status, 401);
  });
});

describe('POST /api/auth/refresh', () => {
  it('rotates: a new access and refresh token; the successor works', async () => {
    const user = await createUser(api);
    const first = await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.notEqual(first.body.refresh_token, user.refreshToken);
    assert.equal((await api.get('/api/users/me', { token: first.body.access_token })).status, 200);
    const second = await api.post('/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
  });

  it('gives parallel refreshes of one token one successor, and revokes nothing', async () => {
    const user = await createUser(api);
    // Few enough to finish inside this suite's 1 s grace window even on a loaded machine
    // (test/auth/races.test.ts sends 50 with the default window).
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })),
    );
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    const successors = new Set(results.map((r) => r.body.refresh_token));
    assert.equal(successors.size, 1);
    const [successor] = successors;
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: successor } })).status, 200);
  });

  it('revokes the whole session when a rotated token is replayed after the grace window', async () => {
    const user = await createUser(api);
    const rotated = await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    await sleep(2100);
    const replay = await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    assert.equal(replay.status, 401);
    // Every token descended from that login is dead now, including the live successor's access token.
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } })).status, 401);
    assert.equal((await api.get('/api/users/me', { token: rotated.body.access_token })).status, 401);
  });

  it('401 for an unknown token, 400 for a missing one', async () => {
    const unknown = await api.post('/api/auth/refresh', { body: { refresh_token: 'not-a-token' } });
    assert.equal(unknown.status, 401);
    assert.equal(typeof unknown.body.error, 'string');
    assert.equal((await api.post('/api/auth/refresh', { body: {} })).status, 400);
  });
});

describe('POST /api/auth/logout', () => {
  it('204, then the refresh token and the session access token stop working; a second logout is 401', async () => {
    const user = await createUser(api);
    const res = await api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status, 401);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).status, 401);
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status, 401);
  });
});

describe('bearer authentication', () => {
  it('401 without a header, with a malformed or tampered token, or with an expired one', async () => {
    const user = await createUser(api);
    assert.equal((await api.get('/api/users/me')).status, 401);
    assert.equal((await api.get('/api/users/me', { headers: { authorization: 'Basic abc' } })).status, 401);
    assert.equal((await api.get('/api/users/me', { token: 'garbage' })).status, 401);
    const lower = await api.get('/api/users/me', { headers: { authorization: `bearer ${user.accessToken}` } });
    assert.equal(lower.status, 200, 'the scheme name is case-insensitive');
    const [h, p, s] = user.accessToken.split('.') as [string, string, string];
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
    forged.sub = '999999';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    const res = await api.get('/api/users/me', { token: tampered });
    assert.equal(res.status, 401);
    assert.equal(typeof res.body.error, 'string');
  });
});
