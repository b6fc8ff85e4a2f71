import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { closeSockets, connect, disconnected } from '../helpers/socket.js';

let t: TestApp;
let limited: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  limited = await startTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });
  api = client(t.baseUrl);
});
afterEach(closeSockets);
after(async () => {
  await t.close();
  await limited.close();
});

interface Login {
  access: string;
  refresh: string;
}

async function login(user: TestUser, userAgent?: string, on: Client = api): Promise<Login> {
  const res = await on.post('/api/users/login', {
    body: { email: user.email, password: user.password },
    ...(userAgent === undefined ? {} : { headers: { 'user-agent': userAgent } }),
  });
  assert.equal(res.status, 200, res.text);
  return { access: res.body.access_token, refresh: res.body.refresh_token };
}

const sessionIdOf = (token: string): number => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
const me = (token: string) => api.get('/api/users/me', { token });
const refresh = (token: string) => api.post('/api/auth/refresh', { body: { refresh_token: token } });

describe('PUT /api/users/me/password', () => {
  it('changes the password, keeps the calling session and ends every other one at once (tokens and sockets)', async () => {
    const user = await createUser(api);
    const phone = await login(user);
    const tablet = await login(user);
    const phoneSocket = await connect(t.baseUrl, phone.access);
    const tabletSocket = await connect(t.baseUrl, tablet.access);
    const ownSocket = await connect(t.baseUrl, user.accessToken);
    const gone = [disconnected(phoneSocket), disconnected(tabletSocket)];

    const res = await api.put('/api/users/me/password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: 'a brand new secret' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    await Promise.all(gone);
    assert.ok(ownSocket.connected, "the caller's own socket stays");

    for (const other of [phone, tablet]) {
      assert.equal((await me(other.access)).status, 401);
      assert.equal((await refresh(other.refresh)).status, 401);
    }
    assert.equal((await me(user.accessToken)).status, 200);
    assert.equal((await refresh(user.refreshToken)).status, 200);
    const oldLogin = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.deepEqual([oldLogin.status, oldLogin.body], [401, { error: 'Invalid email or password' }]);
    assert.equal((await login({ ...user, password: 'a brand new secret' })).access.length > 0, true);
  });

  it('401 for a wrong current password, and nothing changes', async () => {
    const user = await createUser(api);
    const other = await login(user);
    const res = await api.put('/api/users/me/password', {
      token: user.accessToken,
      body: { current_password: 'not my password', new_password: 'a brand new secret' },
    });
    assert.deepEqual([res.status, res.body], [401, { error: 'Invalid password' }]);
    assert.equal((await me(other.access)).status, 200);
    assert.equal((await api.post('/api/users/login', { body: { email: user.email, password: user.password } })).status, 200);
  });

  it('counts a wrong current password like a failed login: the login limit then refuses both (429, Retry-After)', async () => {
    const on = client(limited.baseUrl);
    const user = await createUser(on);
    const statuses: number[] = [];
    for (let i = 0; i < 5 && !statuses.includes(429); i++) {
      const res = await on.put('/api/users/me/password', {
        token: user.accessToken,
        body: { current_password: `guess ${i}`, new_password: 'a brand new secret' },
      });
      statuses.push(res.status);
      if (res.status === 429) assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
    assert.equal(statuses[0], 401);
    assert.equal(statuses.at(-1), 429, `statuses ${statuses.join(',')}`);
    assert.ok(statuses.length <= 4, `the limit is 3 per email: ${statuses.join(',')}`);
    const loginNow = await on.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal(loginNow.status, 429);
    assert.ok(Number(loginNow.headers.get('retry-after')) >= 1);
  });

  it('400 for a new password outside the registration rules, missing fields or extra fields', async () => {
    const user = await createUser(api);
    const short = await api.put('/api/users/me/password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: 'short' },
    });
    assert.equal(short.status, 400);
    assert.equal(short.body.error, "Invalid field 'new_password': must be 8 to 128 characters");
    assert.deepEqual(short.body.details, [{ field: 'new_password', message: 'must be 8 to 128 characters' }]);
    const long = await api.put('/api/users/me/password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: '가'.repeat(129) },
    });
    assert.equal(long.status, 400);
    // 128 characters of three bytes each are fine: characters, not bytes, are counted.
    const edge = await api.put('/api/users/me/password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: '가'.repeat(128) },
    });
    assert.equal(edge.status, 204);
    for (const body of [{ current_password: 'x' }, { new_password: 'abcdefghij' }, { current_password: 'x', new_password: 'abcdefghij', extra: 1 }]) {
      assert.equal((await api.put('/api/users/me/password', { token: user.accessToken, body })).status, 400, JSON.stringify(body));
    }
  });

  it('401 without a token', async () => {
    const res = await api.put('/api/users/me/password', { body: { current_password: 'abcdefghij', new_password: 'abcdefghij' } });
    assert.equal(res.status, 401);
  });
});

describe('GET /api/auth/sessions', () => {
  it('lists the live sessions newest first, with the login user agent (≤ 255 characters, or null) and the current one marked', async () => {
    const user = await createUser(api); // a login with fetch's own User-Agent
    const long = await login(user, 'x'.repeat(400));
    const none = await login(user, '');
    const phone = await login(user, 'SajuApp/2.1 (iPhone; iOS 18.1)');
    const revoked = await login(user, 'Gone/1.0');
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: revoked.refresh } })).status, 204);

    const res = await api.get('/api/auth/sessions', { token: phone.access });
    assert.equal(res.status, 200);
    const sessions = res.body as Array<Record<string, unknown>>;
    assert.deepEqual(
      sessions.map((s) => s.session_id),
      [phone, none, long, { access: user.accessToken }].map((l) => sessionIdOf(l.access)),
    );
    assert.deepEqual(Object.keys(sessions[0]!).sort(), ['created_at', 'current', 'last_used_at', 'session_id', 'user_agent']);
    assert.deepEqual(sessions.map((s) => s.current), [true, false, false, false]);
    assert.equal(sessions[0]!.user_agent, 'SajuApp/2.1 (iPhone; iOS 18.1)');
    assert.equal(sessions[1]!.user_agent, null);
    assert.equal(sessions[2]!.user_agent, 'x'.repeat(255));
    for (const s of sessions) {
      assert.match(String(s.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Date.parse(String(s.last_used_at)) >= Date.parse(String(s.created_at)));
    }
    const fromOther = await api.get('/api/auth/sessions', { token: long.access });
    assert.deepEqual(
      (fromOther.body as Array<{ current: boolean }>).map((s) => s.current),
      [false, false, true, false],
    );
  });

  it("shows nobody else's sessions", async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const list = await api.get('/api/auth/sessions', { token: b.accessToken });
    assert.deepEqual((list.body as Array<{ session_id: number }>).map((s) => s.session_id), [sessionIdOf(b.accessToken)]);
    assert.ok(!list.text.includes(String(sessionIdOf(a.accessToken)) + ','));
  });

  it('moves last_used_at on refresh and on API use (throttled), and drops sessions whose refresh token expired', async () => {
    const user = await createUser(api);
    const db = t.database.db;
    const sid = sessionIdOf(user.accessToken);
    const hourAgo = sql<Date>`now() - interval '1 hour'`;
    const lastUsed = async () =>
      (await db.selectFrom('auth_sessions').select('last_used_at').where('id', '=', sid).executeTakeFirstOrThrow()).last_used_at.getTime();

    // API use: this process has not seen the session used yet, so the first call moves it.
    await db.updateTable('auth_sessions').set({ last_used_at: hourAgo }).where('id', '=', sid).execute();
    const before = await lastUsed();
    assert.equal((await me(user.accessToken)).status, 200);
    const afterUse = await lastUsed();
    assert.ok(afterUse - before > 3_500_000, 'moved to about now');
    // Within the throttle interval further calls write nothing.
    await db.updateTable('auth_sessions').set({ last_used_at: hourAgo }).where('id', '=', sid).execute();
    const stale = await lastUsed();
    assert.equal((await me(user.accessToken)).status, 200);
    assert.equal(await lastUsed(), stale);
    // A refresh always moves it.
    const rotated = await refresh(user.refreshToken);
    assert.equal(rotated.status, 200);
    const listed = await api.get('/api/auth/sessions', { token: rotated.body.access_token });
    const shown = (listed.body as Array<{ session_id: number; last_used_at: string }>).find((s) => s.session_id === sid)!;
    assert.ok(Date.parse(shown.last_used_at) - stale > 3_500_000);

    // A second login whose refresh tokens have all expired is not live any more.
    const old = await login(user);
    await db
      .updateTable('refresh_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('session_id', '=', sessionIdOf(old.access))
      .execute();
    const now = await api.get('/api/auth/sessions', { token: rotated.body.access_token });
    assert.deepEqual((now.body as Array<{ session_id: number }>).map((s) => s.session_id), [sid]);
  });
});

describe('DELETE /api/auth/sessions/{session_id}', () => {
  it('revokes one of my sessions like logout: its tokens stop working and its sockets are disconnected', async () => {
    const user = await createUser(api);
    const tablet = await login(user, 'Tablet');
    const tabletSocket = await connect(t.baseUrl, tablet.access);
    const ownSocket = await connect(t.baseUrl, user.accessToken);
    const gone = disconnected(tabletSocket);
    const res = await api.del(`/api/auth/sessions/${sessionIdOf(tablet.access)}`, { token: user.accessToken });
    assert.equal(res.status, 204);
    await gone;
    assert.ok(ownSocket.connected);
    assert.equal((await me(tablet.access)).status, 401);
    assert.equal((await refresh(tablet.refresh)).status, 401);
    assert.equal((await me(user.accessToken)).status, 200);
    // Not live any more: a second revocation finds nothing.
    const again = await api.del(`/api/auth/sessions/${sessionIdOf(tablet.access)}`, { token: user.accessToken });
    assert.deepEqual([again.status, again.body], [404, { error: 'Session not found' }]);
  });

  it("404 for another user's session (which stays live), 404 for an unknown id, 400 for a malformed one", async () => {
    const a = await createUser(api);
    const f = await createUser(api);
    const res = await api.del(`/api/auth/sessions/${sessionIdOf(a.accessToken)}`, { token: f.accessToken });
    assert.deepEqual([res.status, res.body], [404, { error: 'Session not found' }]);
    assert.equal((await me(a.accessToken)).status, 200);
    assert.equal((await refresh(a.refreshToken)).status, 200);
    assert.equal((await api.del('/api/auth/sessions/2000000000', { token: f.accessToken })).status, 404);
    for (const bad of ['abc', '0', '-1', '1.5']) {
      assert.equal((await api.del(`/api/auth/sessions/${bad}`, { token: f.accessToken })).status, 400, bad);
    }
    assert.equal((await api.del(`/api/auth/sessions/${sessionIdOf(a.accessToken)}`)).status, 401);
  });

  it('may revoke the current session: the token used stops working', async () => {
    const user = await createUser(api);
    const res = await api.del(`/api/auth/sessions/${sessionIdOf(user.accessToken)}`, { token: user.accessToken });
    assert.equal(res.status, 204);
    assert.equal((await me(user.accessToken)).status, 401);
    assert.equal((await refresh(user.refreshToken)).status, 401);
  });
});

describe('POST /api/auth/logout-all', () => {
  it('revokes every session, the current one included, and disconnects every socket', async () => {
    const user = await createUser(api);
    const other = await login(user);
    const bystander = await createUser(api);
    const sockets = [await connect(t.baseUrl, user.accessToken), await connect(t.baseUrl, other.access)];
    const bystanderSocket = await connect(t.baseUrl, bystander.accessToken);
    const gone = sockets.map((s) => disconnected(s));
    const res = await api.post('/api/auth/logout-all', { token: user.accessToken });
    assert.equal(res.status, 204);
    await Promise.all(gone);
    for (const l of [{ access: user.accessToken, refresh: user.refreshToken }, other]) {
      assert.equal((await me(l.access)).status, 401);
      assert.equal((await refresh(l.refresh)).status, 401);
    }
    assert.ok(bystanderSocket.connected);
    assert.equal((await me(bystander.accessToken)).status, 200);
    // Logging in again starts afresh.
    const again = await login(user);
    const list = await api.get('/api/auth/sessions', { token: again.access });
    assert.deepEqual((list.body as Array<{ session_id: number }>).map((s) => s.session_id), [sessionIdOf(again.access)]);
  });

  it('401 without a token', async () => {
    assert.equal((await api.post('/api/auth/logout-all')).status, 401);
  });
});
