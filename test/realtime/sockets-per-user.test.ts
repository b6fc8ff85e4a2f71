import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client } from '../helpers/client.js';
import { startApiNode, type ApiNode as Node } from '../helpers/api-node.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { createUser } from '../helpers/factories.js';
import { POSTGRES_URL, REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';
import { closeSockets, connect, disconnected } from '../helpers/socket.js';

/**
 * SOCKETS_PER_USER: a user's sockets beyond the limit — on any process — are disconnected, oldest
 * first, when a new one connects. A socket's place is freed when it closes.
 */
const settle = () => new Promise((r) => setTimeout(r, 150));

/** Connects `url` in order, each after the previous one's admission has settled. */
async function connectInOrder(urls: string[], token: string): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (const url of urls) {
    sockets.push(await connect(url, token));
    await settle();
  }
  return sockets;
}

describe('SOCKETS_PER_USER=3, one process (in memory)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ SOCKETS_PER_USER: '3' });
  });
  afterEach(closeSockets);
  after(async () => t.close());

  it('a 4th socket disconnects the oldest; the others and other users stay', async () => {
    const api = client(t.baseUrl);
    const user = await createUser(api);
    const other = await createUser(api);
    const [bystander] = await connectInOrder([t.baseUrl], other.accessToken);
    const [s1, s2, s3] = await connectInOrder([t.baseUrl, t.baseUrl, t.baseUrl], user.accessToken);
    const gone = disconnected(s1!);
    const [s4] = await connectInOrder([t.baseUrl], user.accessToken);
    assert.equal(await gone, 'io server disconnect');
    await settle();
    assert.deepEqual([s2, s3, s4, bystander].map((s) => s!.connected), [true, true, true, true]);

    // A closed socket frees its place: the next one disconnects nobody.
    s3!.close();
    await settle();
    const [s5] = await connectInOrder([t.baseUrl], user.accessToken);
    await settle();
    assert.deepEqual([s2, s4, s5].map((s) => s!.connected), [true, true, true]);
    // And the one after that disconnects the oldest left, s2.
    const next = disconnected(s2!);
    await connectInOrder([t.baseUrl], user.accessToken);
    assert.equal(await next, 'io server disconnect');
    assert.deepEqual([s4, s5].map((s) => s!.connected), [true, true]);
  });
});

const skip = await skipUnlessServices('test/realtime/sockets-per-user.test.ts', 'postgres', 'redis');
const SECRET = 'sockets-per-user-test-secret-0123456789-0123456789';
const startNode = (dbUrl: string, adapterKey: string) =>
  startApiNode(dbUrl, {
    env: { NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_IP: '1000', SOCKETS_PER_USER: '3' },
    realtime: { adapterKey },
  });


describe('SOCKETS_PER_USER=3 across two processes (Redis sorted set)', { skip }, () => {
  let db: TestDatabase;
  let one: Node;
  let two: Node;
  const key = `test-spu-${randomBytes(6).toString('hex')}`;
  before(async () => {
    db = await freshPostgresDatabase(POSTGRES_URL);
    one = await startNode(db.url!, key);
    two = await startNode(db.url!, key);
    await settle(); // the adapters subscribe before the first cross-node request
  });
  afterEach(closeSockets);
  after(async () => {
    await one?.close();
    await two?.close();
    await db?.close();
    const redis = new Redis(REDIS_TEST_URL);
    const keys = await redis.keys(`${key}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('the limit holds for the pair: a new socket on one process disconnects the oldest on the other', async () => {
    const user = await createUser(client(one.url));
    const other = await createUser(client(two.url));
    const [bystander] = await connectInOrder([two.url], other.accessToken);
    const [s1, s2, s3] = await connectInOrder([one.url, two.url, one.url], user.accessToken);

    const firstGone = disconnected(s1!);
    const [s4] = await connectInOrder([two.url], user.accessToken);
    assert.equal(await firstGone, 'io server disconnect', 'the oldest, on node one, by a connection to node two');

    const secondGone = disconnected(s2!);
    const [s5] = await connectInOrder([one.url], user.accessToken);
    assert.equal(await secondGone, 'io server disconnect', 'the next oldest, on node two, by a connection to node one');
    await settle();
    assert.deepEqual([s3, s4, s5, bystander].map((s) => s!.connected), [true, true, true, true]);

    const redis = new Redis(REDIS_TEST_URL);
    try {
      assert.equal(await redis.zcard(`${key}:sockets:user:${user.id}`), 3);
      assert.deepEqual(await redis.zrange(`${key}:sockets:user:${user.id}`, '0', '-1'), [s3!.id, s4!.id, s5!.id]);
    } finally {
      await redis.quit();
    }
  });

  it('parallel connections on both processes: never more than 3 stay connected', async () => {
    const user = await createUser(client(one.url));
    const sockets = await Promise.all(Array.from({ length: 10 }, (_, i) => connect(i % 2 ? one.url : two.url, user.accessToken)));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(sockets.filter((s) => s.connected).length, 3);
  });
});
