import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client } from '../helpers/client.js';
import { userInput } from '../helpers/factories.js';

/**
 * TRUST_PROXY decides which address the per-address limits (and the sessions' recorded address)
 * use. A client may write any X-Forwarded-For it likes; a proxy appends the address it saw to the
 * right. So with one proxy in front, the client address is the right-most entry, and whatever the
 * client wrote to the left of it must change nothing.
 */
const tempDir = () => mkdtempSync(join(tmpdir(), 'saju-trust-proxy-'));

describe('TRUST_PROXY configuration', () => {
  it('refuses true (any case) with an error naming the variable', () => {
    for (const value of ['true', 'TRUE', ' true ']) {
      assert.throws(
        () => loadConfig({ DATA_DIR: tempDir(), TRUST_PROXY: value }),
        (err: Error) => err instanceof ConfigError && /TRUST_PROXY: true is refused/.test(err.message),
        value,
      );
    }
  });

  it('takes false, a hop count, or a list of addresses/CIDRs; refuses anything else', () => {
    const parse = (value: string) => loadConfig({ DATA_DIR: tempDir(), TRUST_PROXY: value }).trustProxy;
    assert.equal(loadConfig({ DATA_DIR: tempDir() }).trustProxy, false, 'default');
    assert.equal(parse('false'), false);
    assert.equal(parse('0'), false);
    assert.equal(parse('1'), 1);
    assert.equal(parse('3'), 3);
    assert.deepEqual(parse('10.0.0.0/8, 192.168.1.7,::1/128'), ['10.0.0.0/8', '192.168.1.7', '::1/128']);
    for (const bad of ['yes', '10.0.0.0/33', '::1/129', '300.1.1.1', '10.0.0.1,', '-1', '1.5', 'loopback']) {
      assert.throws(() => parse(bad), (err: Error) => err instanceof ConfigError && err.message.includes('TRUST_PROXY'), bad);
    }
  });

  it('stops the server at start-up on TRUST_PROXY=true, naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, TRUST_PROXY: 'true', DATA_DIR: tempDir(), DATABASE_URL: '', PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /TRUST_PROXY: true is refused/);
  });
});

/** Logs in and returns the address the server recorded for the new session. */
async function sessionAddress(t: TestApp, headers: Record<string, string>, localAddress?: string): Promise<string> {
  const api = client(t.baseUrl, localAddress ? { localAddress } : {});
  const input = userInput();
  assert.equal((await client(t.baseUrl).post('/api/users/register', { body: input })).status, 201);
  const login = await api.post('/api/users/login', { body: { email: input.email, password: input.password }, headers });
  assert.equal(login.status, 200, login.text);
  const row = await t.database.db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .select('auth_sessions.ip')
    .where('users.email', '=', input.email)
    .executeTakeFirstOrThrow();
  return String(row.ip);
}

describe('TRUST_PROXY=1 (one proxy in front)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_IP: '3', AUTH_RATE_LIMIT_PER_EMAIL: '1000', AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000' });
  });
  after(async () => t.close());

  it('the client address is the entry the proxy appended, never one the client wrote', async () => {
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '198.51.100.20' }), '198.51.100.20');
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '1.2.3.4, 198.51.100.21' }), '198.51.100.21');
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '1.2.3.4, 5.6.7.8,198.51.100.22' }), '198.51.100.22');
  });

  it('a client rewriting its own X-Forwarded-For on every guess is still one address to the per-address limit', async () => {
    const api = client(t.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await api.post('/api/users/login', {
        body: { email: `spoof-${i}@example.com`, password: 'password-guess' },
        // The client writes a fresh address each time; the proxy appends the real one, 198.51.100.50.
        headers: { 'x-forwarded-for': `203.0.113.${i}, 10.${i}.0.1, 198.51.100.50` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
    // Another client behind the same proxy has a budget of its own.
    const other = await api.post('/api/users/login', {
      body: { email: 'spoof-other@example.com', password: 'password-guess' },
      headers: { 'x-forwarded-for': '198.51.100.50, 198.51.100.51' },
    });
    assert.equal(other.status, 401);
  });
});

describe('TRUST_PROXY=2 (two proxies)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ TRUST_PROXY: '2' });
  });
  after(async () => t.close());

  it('the client address is the second entry from the right', async () => {
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '1.2.3.4, 198.51.100.30, 10.0.0.5' }), '198.51.100.30');
  });
});

describe('TRUST_PROXY as a list of proxy addresses', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
  });
  after(async () => t.close());

  it('trusted hops are skipped from the right; the first untrusted address is the client', async () => {
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '1.2.3.4, 198.51.100.40' }), '198.51.100.40');
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '1.2.3.4, 198.51.100.41, 10.1.2.3' }), '198.51.100.41');
  });

  it('a peer that is not a trusted proxy is the client, whatever X-Forwarded-For it sends', async () => {
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '198.51.100.42' }, '127.0.0.2'), '127.0.0.2');
  });
});

describe('TRUST_PROXY=false (the default)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('X-Forwarded-For is ignored: the client address is the TCP peer', async () => {
    assert.equal(await sessionAddress(t, { 'x-forwarded-for': '198.51.100.60' }, '127.0.0.3'), '127.0.0.3');
  });
});
