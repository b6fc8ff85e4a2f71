import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, userInput } from '../helpers/factories.js';

/**
 * Only failed logins count toward the per-email limits (per email from every address, and per
 * email and address); every attempt counts per address. The attempt is counted up front and
 * handed back when the password is right, so parallel guesses are counted exactly.
 */
const count = (results: { status: number }[], status: number) => results.filter((r) => r.status === status).length;

describe('failed logins only (5 per email, 5 per email and address)', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({
      AUTH_RATE_LIMIT_PER_EMAIL: '5',
      AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '5',
      AUTH_RATE_LIMIT_PER_IP: '100000',
      AUTH_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  const login = (email: string, password: string) => api.post('/api/users/login', { body: { email, password } });

  it('30 successful logins (several devices, in parallel too) never lock the owner out', async () => {
    const owner = await createUser(api);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(owner.email, owner.password)).status);
    for (let round = 0; round < 4; round++) {
      // As many at once as the limit: each holds an attempt only while its password is checked.
      const parallel = await Promise.all(Array.from({ length: 5 }, () => login(owner.email, owner.password)));
      statuses.push(...parallel.map((r) => r.status));
    }
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(statuses.length, 30);
    const sessions = await t.database.db.selectFrom('auth_sessions').select('id').where('user_id', '=', owner.id).execute();
    assert.equal(sessions.length, 31, 'createUser logged in once, then 30 more sessions');
    // The successes left the whole failure budget: 5 wrong passwords are checked, the 6th is not.
    const wrong = [];
    for (let i = 0; i < 6; i++) wrong.push((await login(owner.email, `wrong ${i}`)).status);
    assert.deepEqual(wrong, [401, 401, 401, 401, 401, 429]);
  });

  it('a correct password in between hands its attempt back: 4 failures, a success, 1 failure, then 429', async () => {
    const owner = await createUser(api);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(owner.email, `wrong ${i}`)).status);
    statuses.push((await login(owner.email, owner.password)).status);
    statuses.push((await login(owner.email, 'wrong 5')).status);
    const refused = await login(owner.email, 'wrong 6');
    statuses.push(refused.status);
    statuses.push((await login(owner.email, owner.password)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 200, 401, 429, 429]);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.body.error, 'Too many attempts, please try again later');
  });

  it('50 parallel guesses racing 5 logins of the owner: exactly 5 failures are ever checked', async () => {
    const owner = await createUser(api);
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => login(owner.email, `parallel guess ${i}`)),
      ...Array.from({ length: 5 }, () => login(owner.email, owner.password)),
    ]);
    const guesses = results.slice(0, 50);
    const checked = count(guesses, 401);
    assert.equal(checked + count(guesses, 429), 50);
    assert.ok(checked <= 5, `${checked} guesses checked`);
    // An owner's login holds an attempt only while it runs: once all have settled, what is left
    // of the budget is exactly 5 minus the failures checked.
    const more: number[] = [];
    for (let i = 0; i < 6; i++) more.push((await login(owner.email, `later guess ${i}`)).status);
    assert.equal(checked + count(more.map((status) => ({ status })), 401), 5, `checked ${checked}, then ${more.join(',')}`);
    assert.equal(more.at(-1), 429);
  });

  it('a wrong current password on a password change counts like a failed login, also in parallel', async () => {
    const owner = await createUser(api);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.put('/api/users/me/password', { token: owner.accessToken, body: { current_password: `guess ${i}`, new_password: 'a brand new secret' } }),
      ),
    );
    assert.equal(count(results, 401), 5);
    assert.equal(count(results, 429), 15);
    assert.equal(results.find((r) => r.status === 401)!.body.error, 'Invalid password');
    assert.equal((await login(owner.email, owner.password)).status, 429, 'the login limit is the same counter');
  });

  it('a correct current password is not counted: 10 password changes in a row all succeed', async () => {
    const owner = await createUser(api);
    let password = owner.password;
    for (let i = 0; i < 10; i++) {
      const next = `new secret number ${i}`;
      const res = await api.put('/api/users/me/password', { token: owner.accessToken, body: { current_password: password, new_password: next } });
      assert.equal(res.status, 204, res.text);
      password = next;
    }
    assert.equal((await login(owner.email, password)).status, 200);
  });
});

describe('failures per (email, address): 3 per address, 6 per email from every address', () => {
  let t: TestApp;
  const from = (address: string) => client(t.baseUrl, { localAddress: address });
  before(async () => {
    t = await startTestApp({
      AUTH_RATE_LIMIT_PER_EMAIL: '6',
      AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '3',
      AUTH_RATE_LIMIT_PER_IP: '100000',
      AUTH_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
  });
  after(async () => t.close());

  it('one address is stopped at its own limit without using up the email for the others', async () => {
    const victim = userInput();
    assert.equal((await client(t.baseUrl).post('/api/users/register', { body: victim })).status, 201);
    const login = (address: string, password: string) =>
      from(address).post('/api/users/login', { body: { email: victim.email, password } });

    const attacker: number[] = [];
    for (let i = 0; i < 12; i++) attacker.push((await login('127.0.0.2', `guess ${i}`)).status);
    assert.deepEqual(attacker, [401, 401, 401, ...Array(9).fill(429)]);
    assert.equal((await login('127.0.0.2', victim.password)).status, 429, 'that address is throttled for this email');

    // The refused guesses were never checked, so they used none of the email's budget.
    assert.equal((await login('127.0.0.3', victim.password)).status, 200, 'the owner, elsewhere, gets in');
    const second: number[] = [];
    for (let i = 0; i < 4; i++) second.push((await login('127.0.0.4', `other guess ${i}`)).status);
    assert.deepEqual(second, [401, 401, 401, 429]);
    // 6 failures in all for this email: a third address is refused at once, the password too.
    assert.equal((await login('127.0.0.5', 'third address guess')).status, 429);
    assert.equal((await login('127.0.0.5', victim.password)).status, 429);
  });
});
