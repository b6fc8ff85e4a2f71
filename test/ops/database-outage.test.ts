import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { MemoryRateLimiter } from '../../src/lib/rate-limit.js';
import { SERVICE_UNAVAILABLE } from '../../src/lib/unavailable.js';
import { insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, skipUnlessServices } from '../helpers/services.js';
import { closeSockets, connect, request } from '../helpers/socket.js';

/**
 * The app's PostgreSQL goes away and comes back, and a statement outlives the statement timeout:
 * clients get `503` with `Retry-After` (socket acks: `{ ok: false, error }`), never a 500 or a
 * hang, and everything works again once the database is back, without a restart.
 *
 * The app reaches PostgreSQL through a TCP proxy this test can cut, so the shared server is never
 * touched. Always PostgreSQL (skipped without it, except in CI): an embedded PGlite cannot be
 * unplugged.
 */
const SERVER = POSTGRES_URL;
const skip = await skipUnlessServices('test/ops/database-outage.test.ts', 'postgres');

/** A TCP proxy to PostgreSQL that can be unplugged (listener closed, connections cut) and replugged. */
class Plug {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createServer((downstream) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [downstream, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          downstream.destroy();
          upstream.destroy();
        });
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('database outage and statement timeout', { skip }, () => {
  let database: TestDatabase;
  let plug: Plug;
  let appDb: DatabaseHandle;
  let app: App;
  let api: Client;
  let baseUrl: string;
  let a: TestUser;
  let b: TestUser;
  let chatId: number;

  before(async () => {
    database = await freshPostgresDatabase(SERVER);
    const direct = new URL(database.url!);
    plug = new Plug({ host: direct.hostname, port: Number(direct.port || 5432) });
    await plug.up();
    const proxied = new URL(database.url!);
    proxied.port = String(plug.port);
    proxied.hostname = '127.0.0.1';
    appDb = await openDatabase({ url: proxied.toString(), poolSize: 4, statementTimeoutMs: 1000 });
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'outage-test-secret-0123456789-0123456789-0123456789',
      LOG_LEVEL: 'silent',
      AUTH_RATE_LIMIT_PER_IP: '1000',
      AUTH_RATE_LIMIT_PER_EMAIL: '1000',
      AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000',
      PROFILE_VIEWS_PER_HOUR: '1000',
    });
    app = await buildApp({ config, database: appDb, limiter: new MemoryRateLimiter(), logger: false });
    await app.fastify.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
    api = client(baseUrl);
    a = await createUser(api, { gender: 'male' });
    b = await createUser(api, { gender: 'female' });
    ({ chatId } = await insertChat(database.db, a.id, b.id));
  });

  after(async () => {
    await closeSockets();
    await app.fastify.close();
    await appDb.close();
    await plug.down();
    await database.close();
  });

  it('answers 503 with Retry-After while PostgreSQL is unreachable, and recovers without a restart', async () => {
    const socket = await connect(baseUrl, a.accessToken);
    const sent = await request(socket, 'sendMessage', { chat_id: chatId, content: 'before' });
    assert.equal(sent.ok, true);

    await plug.down();
    for (const [method, path, body] of [
      ['GET', '/api/users/me', undefined],
      ['GET', '/api/chats', undefined],
      ['POST', `/api/chats/${chatId}/messages`, { content: 'during' }],
    ] as const) {
      const res = await api.request(method, path, { token: a.accessToken, body });
      assert.equal(res.status, 503, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { error: SERVICE_UNAVAILABLE });
      assert.equal(res.headers.get('retry-after'), '1');
      assert.ok(res.headers.get('x-request-id'));
    }
    const login = await api.post('/api/users/login', { body: { email: a.email, password: a.password } });
    assert.equal(login.status, 503, login.text);
    assert.equal((await api.get('/readyz')).status, 503);
    const ack = await request(socket, 'sendMessage', { chat_id: chatId, content: 'during', client_msg_id: 'outage-1' });
    assert.deepEqual(ack, { ok: false, error: SERVICE_UNAVAILABLE });

    await plug.up();
    // The pool drops its broken connections and opens new ones on demand: no restart needed.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await api.get('/api/users/me', { token: a.accessToken })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
    const retried = await request(socket, 'sendMessage', { chat_id: chatId, content: 'during', client_msg_id: 'outage-1' });
    assert.equal(retried.ok, true);
    const history = await api.get(`/api/chats/${chatId}/messages`, { token: b.accessToken });
    assert.equal(history.status, 200);
    assert.deepEqual(
      history.body.map((m: { content: string }) => m.content),
      ['during', 'before'],
      'the refused REST send stored nothing; the retried socket send is stored once',
    );
  });

  it('cancels a statement past the statement timeout and answers 503; the row is usable afterwards', async () => {
    // Another session holds the caller's row: the profile update waits on the lock until cancelled.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [a.id]);
      const started = Date.now();
      const res = await api.put('/api/users/me', { token: a.accessToken, body: { bio: 'locked out' } });
      assert.equal(res.status, 503, res.text);
      assert.deepEqual(res.body, { error: SERVICE_UNAVAILABLE });
      assert.ok(Date.now() - started < 10_000, 'the statement timeout (1 s) ended the wait');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const res = await api.put('/api/users/me', { token: a.accessToken, body: { bio: 'unlocked' } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await api.get('/api/users/me', { token: a.accessToken })).body.bio, 'unlocked');
  });
});
