import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { MemoryRateLimiter } from '../../src/lib/rate-limit.js';
import { DevicesService } from '../../src/notifications/devices.service.js';
import { endpointProblem, isPublicAddress, resolvesPublic } from '../../src/notifications/endpoint-safety.js';
import { startTestApp, TEST_VAPID, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

/** A subscription as a browser's PushSubscription.toJSON() gives it (real P-256 key, 16-byte secret). */
export function webSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

let endpointSeq = 0;
/** An https endpoint on a public address literal (no DNS needed). */
const publicEndpoint = () => `https://93.184.215.14/push/${process.pid}-${++endpointSeq}`;

async function devicesOf(user: TestUser) {
  const res = await api.get('/api/devices', { token: user.accessToken });
  assert.equal(res.status, 200);
  return res.body as Array<{ device_id: number; platform: string; created_at: string; current: boolean }>;
}

async function login(user: TestUser) {
  const res = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
  assert.equal(res.status, 200);
  return { accessToken: res.body.access_token as string, refreshToken: res.body.refresh_token as string };
}

describe('GET /api/push/vapid-public-key', () => {
  it('answers the configured key without a token', async () => {
    const res = await api.get('/api/push/vapid-public-key');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { key: TEST_VAPID.VAPID_PUBLIC_KEY });
    assert.equal(Buffer.from(res.body.key, 'base64url').length, 65);
    const odd = await api.get('/api/push/vapid-public-key?user_id=1');
    assert.equal(odd.status, 400);
    assert.equal(typeof odd.body.error, 'string');
  });
});

describe('POST /api/devices', () => {
  it('registers a web subscription (201), the same endpoint again is 200 with the same id', async () => {
    const user = await createUser(api);
    const subscription = webSubscription(publicEndpoint());
    const first = await api.post('/api/devices', { token: user.accessToken, body: { platform: 'web', subscription } });
    assert.equal(first.status, 201);
    assert.ok(Number.isInteger(first.body.device_id) && first.body.device_id > 0);
    assert.deepEqual(Object.keys(first.body), ['device_id']);
    // New keys for the same endpoint (the browser re-subscribed): same device, keys replaced.
    const again = await api.post('/api/devices', {
      token: user.accessToken,
      body: { platform: 'web', subscription: { ...webSubscription(subscription.endpoint) } },
    });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { device_id: first.body.device_id });
    const stored = await t.database.db.selectFrom('devices').selectAll().where('id', '=', first.body.device_id).executeTakeFirstOrThrow();
    assert.equal(stored.token, subscription.endpoint);
    assert.notEqual(stored.p256dh, subscription.keys.p256dh);
    const list = await devicesOf(user);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.device_id, first.body.device_id);
    assert.equal(list[0]!.platform, 'web');
    assert.equal(list[0]!.current, true);
    assert.match(list[0]!.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('registers FCM and APNs tokens; a token another account held moves to the caller', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const token = `fcm-${randomBytes(20).toString('hex')}`;
    const fa = await api.post('/api/devices', { token: a.accessToken, body: { platform: 'fcm', token } });
    assert.equal(fa.status, 201);
    const apns = await api.post('/api/devices', { token: a.accessToken, body: { platform: 'apns', token: randomBytes(32).toString('hex') } });
    assert.equal(apns.status, 201);
    assert.deepEqual((await devicesOf(a)).map((d) => d.platform), ['fcm', 'apns']);
    const fb = await api.post('/api/devices', { token: b.accessToken, body: { platform: 'fcm', token } });
    assert.equal(fb.status, 201);
    assert.notEqual(fb.body.device_id, fa.body.device_id);
    assert.deepEqual((await devicesOf(a)).map((d) => d.platform), ['apns']);
    assert.deepEqual((await devicesOf(b)).map((d) => d.device_id), [fb.body.device_id]);
  });

  it('lists devices of all sessions, marking the current one', async () => {
    const user = await createUser(api);
    const other = await login(user);
    const mine = await api.post('/api/devices', { token: user.accessToken, body: { platform: 'fcm', token: `t-${randomBytes(8).toString('hex')}` } });
    const theirs = await api.post('/api/devices', { token: other.accessToken, body: { platform: 'apns', token: `t-${randomBytes(8).toString('hex')}` } });
    const list = await devicesOf(user);
    assert.deepEqual(
      list.map((d) => [d.device_id, d.current]),
      [
        [mine.body.device_id, true],
        [theirs.body.device_id, false],
      ],
    );
  });

  const bad: Array<[string, (endpoint: string) => unknown, RegExp]> = [
    ['unknown platform', () => ({ platform: 'sms', token: 'x' }), /platform/],
    ['web without subscription', () => ({ platform: 'web' }), /'subscription': is required/],
    ['web with a token', (e) => ({ platform: 'web', token: 'x', subscription: webSubscription(e) }), /'token': must not be sent/],
    ['fcm without token', () => ({ platform: 'fcm' }), /'token': is required/],
    ['fcm with a blank token', () => ({ platform: 'fcm', token: '   ' }), /'token': is required/],
    ['apns with a subscription', (e) => ({ platform: 'apns', token: 'x', subscription: webSubscription(e) }), /'subscription': must not be sent/],
    ['a token over 4096 characters', () => ({ platform: 'fcm', token: 'x'.repeat(4097) }), /token/],
    ['an http endpoint', () => ({ platform: 'web', subscription: webSubscription('http://93.184.215.14/push/1') }), /must be an https URL/],
    ['a loopback endpoint', () => ({ platform: 'web', subscription: webSubscription('https://127.0.0.1/push/1') }), /public address/],
    ['a private endpoint', () => ({ platform: 'web', subscription: webSubscription('https://10.1.2.3:8443/push/1') }), /public address/],
    ['a link-local endpoint', () => ({ platform: 'web', subscription: webSubscription('https://169.254.169.254/latest') }), /public address/],
    ['an IPv6 loopback endpoint', () => ({ platform: 'web', subscription: webSubscription('https://[::1]/push') }), /public address/],
    ['a mapped private IPv6 endpoint', () => ({ platform: 'web', subscription: webSubscription('https://[::ffff:192.168.0.1]/push') }), /public address/],
    ['localhost', () => ({ platform: 'web', subscription: webSubscription('https://localhost/push') }), /public address/],
    ['not a URL', () => ({ platform: 'web', subscription: webSubscription('push me') }), /absolute URL/],
    ['credentials in the URL', () => ({ platform: 'web', subscription: webSubscription('https://u:p@93.184.215.14/x') }), /credentials/],
    ['a short p256dh', (e) => ({ platform: 'web', subscription: { endpoint: e, keys: { p256dh: 'AAAA', auth: randomBytes(16).toString('base64url') } } }), /p256dh/],
    ['a long auth', (e) => ({ platform: 'web', subscription: { endpoint: e, keys: { p256dh: webSubscription(e).keys.p256dh, auth: randomBytes(32).toString('base64url') } } }), /auth/],
    ['no keys', (e) => ({ platform: 'web', subscription: { endpoint: e } }), /keys/],
    ['an extra field', () => ({ platform: 'fcm', token: 'x', user_id: 1 }), /user_id|additional/i],
  ];
  for (const [name, body, message] of bad) {
    it(`refuses ${name} with 400`, async () => {
      const user = await createUser(api);
      const res = await api.post('/api/devices', { token: user.accessToken, body: body(publicEndpoint()) });
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error, message);
      assert.deepEqual(await devicesOf(user), []);
    });
  }

  it('needs a token', async () => {
    const res = await api.post('/api/devices', { body: { platform: 'fcm', token: 'x' } });
    assert.equal(res.status, 401);
    assert.equal((await api.get('/api/devices')).status, 401);
    assert.equal((await api.del('/api/devices/1')).status, 401);
  });
});

describe('DELETE /api/devices/{device_id}', () => {
  it("removes one's own device (204) and answers 404 for another user's or an unknown one", async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const reg = await api.post('/api/devices', { token: a.accessToken, body: { platform: 'fcm', token: `d-${randomBytes(8).toString('hex')}` } });
    const stolen = await api.del(`/api/devices/${reg.body.device_id}`, { token: b.accessToken });
    assert.equal(stolen.status, 404);
    assert.deepEqual(stolen.body, { error: 'Device not found' });
    assert.equal((await devicesOf(a)).length, 1);
    assert.equal((await api.del('/api/devices/2147483647', { token: a.accessToken })).status, 404);
    assert.equal((await api.del('/api/devices/abc', { token: a.accessToken })).status, 400);
    const own = await api.del(`/api/devices/${reg.body.device_id}`, { token: a.accessToken });
    assert.equal(own.status, 204);
    assert.deepEqual(await devicesOf(a), []);
    assert.equal((await api.del(`/api/devices/${reg.body.device_id}`, { token: a.accessToken })).status, 404);
  });
});

describe('devices follow their session and account', () => {
  it("logout removes the session's devices only; revoking a session and logout-all too", async () => {
    const user = await createUser(api);
    const second = await login(user);
    const third = await login(user);
    const keep = await api.post('/api/devices', { token: user.accessToken, body: { platform: 'fcm', token: `k-${randomBytes(8).toString('hex')}` } });
    await api.post('/api/devices', { token: second.accessToken, body: { platform: 'web', subscription: webSubscription(publicEndpoint()) } });
    await api.post('/api/devices', { token: second.accessToken, body: { platform: 'apns', token: `s-${randomBytes(8).toString('hex')}` } });
    await api.post('/api/devices', { token: third.accessToken, body: { platform: 'apns', token: `r-${randomBytes(8).toString('hex')}` } });
    assert.equal((await devicesOf(user)).length, 4);
    assert.equal((await api.post('/api/auth/logout', { token: second.accessToken, body: { refresh_token: second.refreshToken } })).status, 204);
    assert.equal((await devicesOf(user)).length, 2);
    const sessions = await api.get('/api/auth/sessions', { token: user.accessToken });
    const thirdSession = (sessions.body as Array<{ session_id: number; current: boolean }>).find((s) => !s.current)!;
    assert.equal((await api.del(`/api/auth/sessions/${thirdSession.session_id}`, { token: user.accessToken })).status, 204);
    assert.deepEqual((await devicesOf(user)).map((d) => d.device_id), [keep.body.device_id]);
    assert.equal((await api.post('/api/auth/logout-all', { token: user.accessToken })).status, 204);
    const rows = await t.database.db.selectFrom('devices').select('id').where('user_id', '=', user.id).execute();
    assert.deepEqual(rows, []);
  });

  it('account deletion removes every device; the export lists them before', async () => {
    const user = await createUser(api);
    const other = await login(user);
    const fcmToken = `e-${randomBytes(8).toString('hex')}`;
    const endpoint = publicEndpoint();
    await api.post('/api/devices', { token: user.accessToken, body: { platform: 'fcm', token: fcmToken } });
    await api.post('/api/devices', { token: other.accessToken, body: { platform: 'web', subscription: webSubscription(endpoint) } });
    const exported = await api.get('/api/users/me/export', { token: user.accessToken });
    assert.equal(exported.status, 200);
    assert.deepEqual(
      exported.body.devices.map((d: { platform: string; address: string }) => [d.platform, d.address]),
      [
        ['fcm', fcmToken],
        ['web', endpoint],
      ],
    );
    assert.equal((await api.del('/api/users/me', { token: user.accessToken, body: { password: user.password } })).status, 204);
    const rows = await t.database.db.selectFrom('devices').select('id').where('user_id', '=', user.id).execute();
    assert.deepEqual(rows, []);
  });

  it('keeps at most 20 devices per user, dropping the oldest', async () => {
    const user = await createUser(api);
    const ids: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await api.post('/api/devices', { token: user.accessToken, body: { platform: 'fcm', token: `cap-${user.id}-${i}` } });
      assert.equal(res.status, 201);
      ids.push(res.body.device_id);
    }
    assert.deepEqual((await devicesOf(user)).map((d) => d.device_id), ids.slice(2));
  });
});

describe('push_previews', () => {
  it('is true by default and set with PUT /api/users/me', async () => {
    const user = await createUser(api);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).body.push_previews, true);
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { push_previews: false } })).status, 200);
    assert.equal((await api.get('/api/users/me', { token: user.accessToken })).body.push_previews, false);
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { push_previews: 'no' } })).status, 400);
  });
});

describe('endpoint safety', () => {
  it('tells public addresses from private, loopback, link-local and special ones', () => {
    for (const a of ['8.8.8.8', '93.184.215.14', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(a), true, a);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1', 'not-an-ip']) {
      assert.equal(isPublicAddress(a), false, a);
    }
  });

  it('checks the scheme only when insecure endpoints are allowed (tests)', () => {
    assert.equal(endpointProblem('http://127.0.0.1:9000/push', true), null);
    assert.equal(endpointProblem('ftp://127.0.0.1/push', true), 'must be an https URL');
    assert.equal(endpointProblem('http://127.0.0.1:9000/push', false), 'must be an https URL');
    assert.equal(endpointProblem('https://fcm.googleapis.com/fcm/send/abc', false), null);
  });

  it('refuses a host name that resolves to a private address', async () => {
    const resolveTo = (address: string) => async () => [{ address, family: 4 }];
    assert.equal(await resolvesPublic('https://push.example.com/x', resolveTo('10.0.0.7')), false);
    assert.equal(await resolvesPublic('https://push.example.com/x', resolveTo('8.8.4.4')), true);
    assert.equal(await resolvesPublic('https://push.example.com/x', async () => []), false);
    const service = new DevicesService(t.database.db, new MemoryRateLimiter(), false, (e) => resolvesPublic(e, resolveTo('192.168.0.10')));
    const user = await createUser(api);
    await assert.rejects(
      service.register({ userId: user.id, sessionId: 1 }, { platform: 'web', subscription: webSubscription('https://rebind.example.com/push') }),
      /'subscription.endpoint': must be on a public address/,
    );
  });
});

describe('push configuration', () => {
  const temp = () => mkdtempSync(join(tmpdir(), 'saju-push-config-'));
  const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };

  it('refuses PUSH_ALLOW_INSECURE_ENDPOINTS=true in production', () => {
    assert.throws(() => loadConfig({ ...production, ...TEST_VAPID, DATA_DIR: temp(), PUSH_ALLOW_INSECURE_ENDPOINTS: 'true' }), (e: unknown) => {
      return e instanceof ConfigError && /PUSH_ALLOW_INSECURE_ENDPOINTS: not allowed when NODE_ENV=production/.test(e.message);
    });
    assert.equal(loadConfig({ ...production, ...TEST_VAPID, DATA_DIR: temp() }).push.allowInsecureEndpoints, false);
    assert.equal(loadConfig({ DATA_DIR: temp(), PUSH_ALLOW_INSECURE_ENDPOINTS: 'true' }).push.allowInsecureEndpoints, true);
  });

  it('requires the VAPID keys and subject in production', () => {
    assert.throws(() => loadConfig({ ...production, DATA_DIR: temp() }), /VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT: required when NODE_ENV=production/);
    const { VAPID_SUBJECT: _subject, ...keysOnly } = TEST_VAPID;
    assert.throws(() => loadConfig({ ...production, ...keysOnly, DATA_DIR: temp() }), /required when NODE_ENV=production/);
    const config = loadConfig({ ...production, ...TEST_VAPID, DATA_DIR: temp() });
    assert.deepEqual(config.push.vapid, {
      publicKey: TEST_VAPID.VAPID_PUBLIC_KEY,
      privateKey: TEST_VAPID.VAPID_PRIVATE_KEY,
      subject: TEST_VAPID.VAPID_SUBJECT,
    });
  });

  it('refuses keys that do not form a P-256 pair, one key alone, and a bad subject', () => {
    const other = createECDH('prime256v1');
    other.generateKeys();
    const dir = temp();
    assert.throws(() => loadConfig({ DATA_DIR: dir, VAPID_PUBLIC_KEY: TEST_VAPID.VAPID_PUBLIC_KEY }), /set both or neither/);
    assert.throws(
      () => loadConfig({ DATA_DIR: dir, VAPID_PUBLIC_KEY: other.getPublicKey().toString('base64url'), VAPID_PRIVATE_KEY: TEST_VAPID.VAPID_PRIVATE_KEY }),
      /does not belong to VAPID_PRIVATE_KEY/,
    );
    assert.throws(() => loadConfig({ DATA_DIR: dir, VAPID_PUBLIC_KEY: 'AAAA', VAPID_PRIVATE_KEY: TEST_VAPID.VAPID_PRIVATE_KEY }), /65-byte/);
    assert.throws(() => loadConfig({ DATA_DIR: dir, ...TEST_VAPID, VAPID_SUBJECT: 'someone' }), /VAPID_SUBJECT: expected a mailto: or https: URL/);
  });

  it('generates a key pair once into DATA_DIR outside production', () => {
    const dir = temp();
    const first = loadConfig({ DATA_DIR: dir }).push.vapid;
    const second = loadConfig({ DATA_DIR: dir }).push.vapid;
    assert.deepEqual(second, first);
    const stored = JSON.parse(readFileSync(join(dir, 'vapid-keys.json'), 'utf8'));
    assert.deepEqual(stored, { publicKey: first.publicKey, privateKey: first.privateKey });
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(first.privateKey, 'base64url'));
    assert.equal(ecdh.getPublicKey().toString('base64url'), first.publicKey);
    assert.notDeepEqual(loadConfig({ DATA_DIR: temp() }).push.vapid.publicKey, first.publicKey);
  });

  it('keeps a private key that starts with a zero byte (ECDH hands it out as 31 bytes) instead of regenerating it', () => {
    // About one generated key in 256 (CI found it on Node 26): regenerated at every start before.
    let ecdh = createECDH('prime256v1');
    while ((ecdh.generateKeys(), ecdh.getPrivateKey().length) === 32) ecdh = createECDH('prime256v1');
    const publicKey = ecdh.getPublicKey().toString('base64url');
    const full = Buffer.concat([Buffer.alloc(32 - ecdh.getPrivateKey().length), ecdh.getPrivateKey()]).toString('base64url');
    const dir = temp();
    // A file as the generator wrote it before: the short key.
    writeFileSync(join(dir, 'vapid-keys.json'), JSON.stringify({ publicKey, privateKey: ecdh.getPrivateKey().toString('base64url') }));
    const loaded = loadConfig({ DATA_DIR: dir }).push.vapid;
    assert.equal(loaded.publicKey, publicKey, 'the same pair, not a new one');
    assert.equal(loaded.privateKey, full);
    assert.equal(Buffer.from(loaded.privateKey, 'base64url').length, 32);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'vapid-keys.json'), 'utf8')), { publicKey, privateKey: full });
    assert.deepEqual(loadConfig({ DATA_DIR: dir }).push.vapid, loaded);
  });
});
