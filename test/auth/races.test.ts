import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, userInput } from '../helpers/factories.js';
import { closeSockets, connect, disconnected } from '../helpers/socket.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sessionOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: number }).sid;

// The default 10 s window: on a loaded machine 50 serialised rotations can take longer than 1 s,
// and a request handled after the window is (rightly) a replay.
describe('parallel refreshes (default REFRESH_REUSE_GRACE_SECONDS)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp();
    api = client(t.baseUrl);
  });
  afterEach(closeSockets);
  after(async () => t.close());

  const refresh = (token: string) => api.post('/api/auth/refresh', { body: { refresh_token: token } });
  const tokensOfSession = (sessionId: number) =>
    t.database.db.selectFrom('refresh_tokens').select(['id', 'rotated_at']).where('session_id', '=', sessionId).execute();
  const session = (sessionId: number) =>
    t.database.db.selectFrom('auth_sessions').select(['revoked_at', 'revoked_reason']).where('id', '=', sessionId).executeTakeFirstOrThrow();

  it('50 parallel refreshes of one token: all 200, one successor, one rotation, nothing revoked', async () => {
    const user = await createUser(api);
    const otherDevice = await createUser(api).then(() => api.post('/api/users/login', { body: { email: user.email, password: user.password } }));
    const sessionId = sessionOf(user.accessToken);

    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(user.refreshToken)));

    assert.deepEqual([...new Set(results.map((r) => r.status))], [200], results.map((r) => r.text).join('\n').slice(0, 500));
    const successors = new Set(results.map((r) => r.body.refresh_token as string));
    assert.equal(successors.size, 1, 'every parallel refresh gets the same successor');
    const [successor] = [...successors] as [string];
    assert.notEqual(successor, user.refreshToken);
    // Exactly one rotation: the presented token marked rotated once, one successor row.
    const rows = await tokensOfSession(sessionId);
    assert.equal(rows.length, 2);
    assert.equal(rows.filter((r) => r.rotated_at !== null).length, 1);
    assert.equal((await session(sessionId)).revoked_at, null);
    // Every access token handed out works; so does the successor, and the other device.
    const mes = await Promise.all(results.map((r) => api.get('/api/users/me', { token: r.body.access_token })));
    assert.deepEqual([...new Set(mes.map((m) => m.status))], [200]);
    const next = await refresh(successor);
    assert.equal(next.status, 200);
    assert.notEqual(next.body.refresh_token, successor);
    assert.equal((await refresh(otherDevice.body.refresh_token)).status, 200);
  });

  it('retries within the grace window get the same successor again, with fresh access tokens', async () => {
    const user = await createUser(api);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await refresh(user.refreshToken));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(new Set(answers.map((a) => a.body.refresh_token)).size, 1);
    assert.equal(new Set(answers.map((a) => a.body.access_token)).size, 3);
  });
});

describe('refresh token races (REFRESH_REUSE_GRACE_SECONDS=1)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({ REFRESH_REUSE_GRACE_SECONDS: '1' });
    api = client(t.baseUrl);
  });
  afterEach(closeSockets);
  after(async () => t.close());

  const refresh = (token: string) => api.post('/api/auth/refresh', { body: { refresh_token: token } });
  const session = (sessionId: number) =>
    t.database.db.selectFrom('auth_sessions').select(['revoked_at', 'revoked_reason']).where('id', '=', sessionId).executeTakeFirstOrThrow();

  it('a reuse after the grace window revokes the whole session', async () => {
    const user = await createUser(api);
    const otherDevice = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    const sessionId = sessionOf(user.accessToken);

    const first = await refresh(user.refreshToken);
    assert.equal(first.status, 200);
    const socket = await connect(t.baseUrl, first.body.access_token);
    const gone = disconnected(socket);

    await sleep(2200); // past the 1 s grace window (and the second of now()'s resolution)
    const replays = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)));
    assert.deepEqual([...new Set(replays.map((r) => r.status))], [401]);
    assert.ok(replays.every((r) => typeof r.body.error === 'string'));

    const revoked = await session(sessionId);
    assert.notEqual(revoked.revoked_at, null);
    assert.equal(revoked.revoked_reason, 'refresh_token_reuse');
    // Everything descended from that login is dead: the successor, its access token, its socket.
    assert.equal((await refresh(first.body.refresh_token)).status, 401);
    assert.equal((await api.get('/api/users/me', { token: first.body.access_token })).status, 401);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).status, 401);
    assert.equal(await gone, 'io server disconnect');
    // Another login of the same person is another session: untouched.
    assert.equal((await api.get('/api/users/me', { token: otherDevice.body.access_token })).status, 200);
    assert.equal((await refresh(otherDevice.body.refresh_token)).status, 200);
  });

  it('parallel refreshes racing a logout: the session ends, and nothing issued survives it', async () => {
    const user = await createUser(api);
    const sessionId = sessionOf(user.accessToken);
    const [logout, ...refreshes] = await Promise.all([
      api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } }),
      ...Array.from({ length: 20 }, () => refresh(user.refreshToken)),
    ]);
    assert.equal(logout!.status, 204);
    assert.ok(refreshes.every((r) => r.status === 200 || r.status === 401), refreshes.map((r) => r.status).join());
    assert.notEqual((await session(sessionId)).revoked_at, null);
    for (const r of refreshes.filter((x) => x.status === 200)) {
      assert.equal((await api.get('/api/users/me', { token: r.body.access_token })).status, 401);
      assert.equal((await refresh(r.body.refresh_token)).status, 401);
    }
  });

  it('20 parallel registrations of one email: exactly one account', async () => {
    const input = userInput();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post('/api/users/register', { body: { ...input, email: i % 2 ? input.email.toUpperCase() : input.email } })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(19).fill(409)]);
    const rows = await t.database.db.selectFrom('users').select('id').where('email', '=', input.email.toLowerCase()).execute();
    assert.equal(rows.length, 1);
  });
});

/**
 * Login brute force. While an email (or an IP) is throttled, the correct password is refused
 * too — deliberately: if it went through, the throttle would stop nothing (an attacker guesses at
 * full speed and the one answer that is not 429 is the password), and refusing before the
 * argon2 check keeps a flood from costing the server a hash per guess. The price — the account's
 * owner is locked out as well while someone hammers it — is bounded by the window (60 s by default,
 * AUTH_RATE_LIMIT_WINDOW_SECONDS), after which the correct password works at once.
 */
describe('login brute force (5 attempts per email, 5 s window)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '5', AUTH_RATE_LIMIT_PER_IP: '1000', AUTH_RATE_LIMIT_WINDOW_SECONDS: '5' });
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  const login = (email: string, password: string, headers?: Record<string, string>) =>
    api.post('/api/users/login', { body: { email, password }, ...(headers ? { headers } : {}) });

  it('throttles guessing: 429 with Retry-After, also for the right password, until the window ends', async () => {
    // Registered, not logged in: the address's window starts with the first guess.
    const victim = userInput();
    assert.equal((await api.post('/api/users/register', { body: victim })).status, 201);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await login(victim.email, `guess-${i}-wrong`);
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter}`);
    assert.deepEqual(Object.keys(last!.body), ['error']);

    const right = await login(victim.email, victim.password);
    assert.equal(right.status, 429, 'the correct password is refused while throttled');
    // The address in another case is the same account, so the same counter.
    assert.equal((await login(victim.email.toUpperCase(), victim.password)).status, 429);

    await sleep(Number(right.headers.get('retry-after')) * 1000 + 200);
    assert.equal((await login(victim.email, victim.password)).status, 200, 'the window is over: the owner gets in');
  });
});

// A window far longer than the test: on a loaded machine 50 parallel requests can take more than
// the 5 s window above to be answered, and a new window rightly allows 5 more.
describe('parallel login guesses (5 per email, 60 s window)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '5', AUTH_RATE_LIMIT_PER_IP: '1000', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  it('50 parallel guesses at one address: exactly 5 are checked, 45 refused', async () => {
    const email = `${userInput().email}`;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.post('/api/users/login', { body: { email, password: `parallel-${i}` } })));
    const count = (s: number) => results.filter((r) => r.status === s).length;
    assert.equal(count(401), 5);
    assert.equal(count(429), 45);
  });
});

describe('login brute force per IP (10 attempts per IP)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '1000', AUTH_RATE_LIMIT_PER_IP: '10', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  it('spraying many addresses from one IP is throttled, and X-Forwarded-For does not reset it (TRUST_PROXY off)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await api.post('/api/users/login', {
        body: { email: `spray-${i}@example.com`, password: 'password-guess' },
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(4).fill(429)]);
  });
});
