import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { LeasedRateLimiter, RedisRateLimiter } from '../../src/lib/rate-limit.js';
import { insertChat } from '../helpers/chat-factory.js';
import { startApiNode, startApiNodes, type ApiNode as Node } from '../helpers/api-node.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';
import { userInput } from '../helpers/factories.js';
import { closeSockets, connect, request } from '../helpers/socket.js';

/**
 * Two API nodes — each with its own pool, Redis connections and RedisRateLimiter — on one
 * PostgreSQL database and one Redis, as two processes behind a load balancer (REDIS_URL set):
 * every limit holds for the pair as for one process. A client alternating between the nodes gets
 * no more than the limit: login and register (per email, per IP), account-deletion attempts, chat
 * messages per user (over sockets on both nodes and the REST fallback), and the daily match
 * request cap (counted in the database).
 *
 * Always PostgreSQL and Redis (skipped without them, except in CI): two nodes cannot share an
 * embedded PGlite. A unique key prefix per run keeps parallel CI runs on one Redis apart.
 */
const SERVER = POSTGRES_URL;
const REDIS = REDIS_TEST_URL;
const skip = await skipUnlessServices('test/ops/shared-limits.test.ts', 'postgres', 'redis');
const SECRET = 'shared-limits-test-secret-0123456789-0123456789';
const RUN = `test-${Date.now()}-${randomBytes(4).toString('hex')}`;

const ENV = {
  NODE_ENV: 'test',
  JWT_SECRET: SECRET,
  LOG_LEVEL: 'silent',
  // Behind one load balancer: the client IP is the right-most X-Forwarded-For entry, so each test is its own IP.
  TRUST_PROXY: '1',
  AUTH_RATE_LIMIT_PER_IP: '6',
  AUTH_RATE_LIMIT_PER_EMAIL: '4',
  AUTH_RATE_LIMIT_WINDOW_SECONDS: '60',
  MATCH_REQUESTS_PER_DAY: '3',
  PROFILE_VIEWS_PER_HOUR: '5',
};

const startNode = (dbUrl: string) =>
  startApiNode(dbUrl, {
    env: ENV,
    // As src/main.ts composes it: chat messages count in leases (a lease of 1 at this small limit).
    limiters: (redis) => ({ limiter: new RedisRateLimiter(redis, `rl:${RUN}:`), sendLimiter: new LeasedRateLimiter(redis, `rl:${RUN}:`) }),
    // Per socket: 6 messages at once, then one per 10 s — so one socket may send 7 in 10 s.
    realtime: { adapterKey: `sio-${RUN}`, sendBurst: 6, sendPerSecond: 0.1 },
  });

let ipCounter = 0;
/** A client address of its own (TEST-NET-3), so that tests do not share per-IP budgets. */
const newIp = () => `203.0.113.${++ipCounter}`;

interface Person {
  id: number;
  email: string;
  password: string;
  token: string;
}

/** Registers on one node and logs in on the other, from an address of its own. */
async function person(one: Node, two: Node, gender: 'male' | 'female' = 'female'): Promise<Person> {
  const input = userInput({ gender });
  const headers = { 'x-forwarded-for': newIp() };
  const reg = await one.api.post('/api/users/register', { body: input, headers });
  assert.equal(reg.status, 201, reg.text);
  const login = await two.api.post('/api/users/login', { body: { email: input.email, password: input.password }, headers });
  assert.equal(login.status, 200, login.text);
  return { id: reg.body.user_id, email: input.email, password: input.password, token: login.body.access_token };
}

describe('limits shared by two nodes through Redis (and the database)', { skip }, () => {
  let db: TestDatabase;
  let one: Node;
  let two: Node;
  const both = () => [one, two] as const;
  /** Node 1, node 2, node 1, … */
  const alternate = (i: number) => both()[i % 2]!;

  before(async () => {
    db = await freshPostgresDatabase(SERVER);
    [one, two] = (await startApiNodes(() => startNode(db.url!), () => startNode(db.url!))) as [Node, Node];
  });
  afterEach(closeSockets);
  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await db?.close();
    const redis = new Redis(REDIS);
    const keys = await redis.keys(`rl:${RUN}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('login per email: 4 attempts in all, whichever node they reach', async () => {
    const victim = await person(one, two);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await alternate(i).api.post('/api/users/login', { body: { email: victim.email, password: `wrong-${i}` }, headers: { 'x-forwarded-for': newIp() } });
      statuses.push(res.status);
      if (res.status === 429) assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
    // person()'s successful login counted nothing: 4 failures, then 429 on both nodes.
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429, 429]);
  });

  it('failed logins only, in parallel on both nodes: exactly 4 guesses checked, the owner never locked out by successes', async () => {
    const owner = await person(one, two);
    // Successes on both nodes, in parallel, many more than the limit in all.
    for (let round = 0; round < 3; round++) {
      const ok = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          alternate(i).api.post('/api/users/login', { body: { email: owner.email, password: owner.password }, headers: { 'x-forwarded-for': newIp() } }),
        ),
      );
      assert.deepEqual(ok.map((r) => r.status), [200, 200, 200, 200]);
    }
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        alternate(i).api.post('/api/users/login', { body: { email: owner.email, password: `guess-${i}` }, headers: { 'x-forwarded-for': newIp() } }),
      ),
    );
    assert.equal(guesses.filter((r) => r.status === 401).length, 4);
    assert.equal(guesses.filter((r) => r.status === 429).length, 26);
  });

  it('register per IP: 6 in all from one address, whichever node they reach', async () => {
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await alternate(i).api.post('/api/users/register', { body: userInput(), headers: { 'x-forwarded-for': ip } });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 429, 429, 429]);
  });

  it('login per IP, in parallel on both nodes: exactly 6 answered', async () => {
    const ip = newIp();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        alternate(i).api.post('/api/users/login', { body: { email: `nobody-${i}-${RUN}@example.com`, password: 'password-guess' }, headers: { 'x-forwarded-for': ip } }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 401).length, 6);
    assert.equal(results.filter((r) => r.status === 429).length, 14);
  });

  it('profile and compatibility views: 5 per hour in all, whichever node and route they reach', async () => {
    const viewer = await person(one, two, 'male');
    const seen = await person(two, one, 'female');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const path = i % 2 === 0 ? `/api/users/${seen.id}` : `/api/matches/compatibility/${seen.id}`;
      statuses.push((await alternate(i).api.get(path, { token: viewer.token })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    // The person viewed has a budget of their own.
    assert.equal((await one.api.get(`/api/users/${viewer.id}`, { token: seen.token })).status, 200);
  });

  it('account deletion password attempts: 10 per hour in all', async () => {
    const user = await person(one, two);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await alternate(i).api.del('/api/users/me', { token: user.token, body: { password: `wrong-${i}` } })).status);
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
  });

  it('chat messages per user: sockets on both nodes and the REST fallback share one budget', async () => {
    const a = await person(one, two, 'male');
    const b = await person(two, one, 'female');
    const { chatId } = await insertChat(db.db, a.id, b.id);
    const onOne = await connect(one.url, a.token);
    const onTwo = await connect(two.url, a.token);
    // One socket may send 7 per 10 s (burst 6 + 0.1/s), so a user may too: 4 + 4 from two
    // sockets on two nodes exceed it by one, though neither socket is over its own limit.
    const acks = [];
    for (let i = 0; i < 4; i++) {
      acks.push(await request(onOne, 'sendMessage', { chat_id: chatId, content: `one ${i}` }));
      acks.push(await request(onTwo, 'sendMessage', { chat_id: chatId, content: `two ${i}` }));
    }
    assert.deepEqual(acks.map((x) => x.ok), [true, true, true, true, true, true, true, false]);
    assert.match(acks.at(-1).error, /^rate limited/);
    const rest = await two.api.post(`/api/chats/${chatId}/messages`, { token: a.token, body: { content: 'via REST' } });
    assert.equal(rest.status, 429);
    assert.ok(Number(rest.headers.get('retry-after')) >= 1);
    assert.match(rest.body.error, /^rate limited/);
    // B has a budget of her own.
    assert.equal((await request(await connect(two.url, b.token), 'sendMessage', { chat_id: chatId, content: 'hi' })).ok, true);
    const stored = await db.db.selectFrom('messages').select('id').where('chat_id', '=', chatId).where('sender_id', '=', a.id).execute();
    assert.equal(stored.length, 7);
  });

  it('daily match requests: 3 per Korean day in all, also in parallel on both nodes', async () => {
    const requester = await person(one, two, 'male');
    const receivers = await Promise.all(Array.from({ length: 8 }, () => person(one, two, 'female')));
    const results = await Promise.all(
      receivers.map((r, i) => alternate(i).api.post('/api/matches/request', { token: requester.token, body: { receiver_id: r.id } })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });
});

describe('RedisRateLimiter without Redis', () => {
  it('falls back to a per-process limit at once instead of failing every login and message', async () => {
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 50 });
    redis.on('error', () => {});
    const limiter = new RedisRateLimiter(redis, `rl:${RUN}:down:`);
    const started = Date.now();
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.hit('login:email:x', 3, 60));
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, false]);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    await limiter.close();
    redis.disconnect();
  });
});
