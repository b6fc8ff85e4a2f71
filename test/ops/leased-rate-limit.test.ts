import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { LeasedRateLimiter } from '../../src/lib/rate-limit.js';
import { REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';

/**
 * The per-user chat send limit's store: a Redis fixed window taken in leases. Against a real Redis
 * (REDIS_TEST_URL), with a key prefix of this run's own.
 */
const RUN = `test-lease-${Date.now()}-${randomBytes(4).toString('hex')}`;
const skip = await skipUnlessServices('test/ops/leased-rate-limit.test.ts', 'redis');

describe('LeasedRateLimiter without Redis', () => {
  it('takes leases of ⌊limit / 50⌋ hits, between 1 and 50', () => {
    assert.equal(LeasedRateLimiter.leaseSize(7), 1);
    assert.equal(LeasedRateLimiter.leaseSize(99), 1);
    assert.equal(LeasedRateLimiter.leaseSize(600), 12);
    assert.equal(LeasedRateLimiter.leaseSize(1e9), 50);
  });

  it('falls back to per-process counting when Redis does not answer', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 50 });
    down.on('error', () => {});
    const l = new LeasedRateLimiter(down, `rl:${RUN}:down:`, 200);
    const started = Date.now();
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await l.hit('x', 3, 60));
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, false]);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    await l.close();
    down.disconnect();
  });

  it('falls back for every key of reservations sent together when Redis does not answer', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 50 });
    down.on('error', () => {});
    const l = new LeasedRateLimiter(down, `rl:${RUN}:down-together:`, 200);
    const first = await Promise.all(['a', 'b', 'c'].map((k) => l.hit(k, 1, 60)));
    assert.deepEqual(first.map((d) => d.allowed), [true, true, true]);
    const second = await Promise.all(['a', 'b', 'c'].map((k) => l.hit(k, 1, 60)));
    assert.deepEqual(second.map((d) => d.allowed), [false, false, false]);
    await l.close();
    down.disconnect();
  });
});

describe('LeasedRateLimiter on a real Redis', { skip }, () => {
  let redis: Redis;
  const limiters: LeasedRateLimiter[] = [];
  const limiter = (now?: () => number) => {
    const l = new LeasedRateLimiter(redis, `rl:${RUN}:`, 500, now);
    limiters.push(l);
    return l;
  };

  before(() => {
    redis = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
  });
  after(async () => {
    for (const l of limiters) await l.close();
    const keys = await redis.keys(`rl:${RUN}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('one process: exactly the limit, with one Redis reservation per lease', async () => {
    const l = limiter();
    const key = 'one';
    const decisions = [];
    for (let i = 0; i < 605; i++) decisions.push(await l.hit(key, 600, 10));
    assert.equal(decisions.filter((d) => d.allowed).length, 600);
    assert.deepEqual(
      decisions.slice(598).map((d) => d.allowed),
      [true, true, false, false, false, false, false],
    );
    assert.ok(decisions.at(-1)!.retryAfterSeconds >= 1 && decisions.at(-1)!.retryAfterSeconds <= 10);
    // 50 leases of 12 reached 600; one more found the window full. Refusals after that stay local.
    assert.equal(Number(await redis.get(`rl:${RUN}:${key}`)), 612);
  });

  it('hits arriving together share one reservation', async () => {
    const l = limiter();
    const decisions = await Promise.all(Array.from({ length: 12 }, () => l.hit('together', 600, 10)));
    assert.ok(decisions.every((d) => d.allowed));
    assert.equal(Number(await redis.get(`rl:${RUN}:together`)), 12);
  });

  it('a given lease size applies whatever the limit', async () => {
    const l = new LeasedRateLimiter(redis, `rl:${RUN}:fixed:`, 500, undefined, 12);
    limiters.push(l);
    for (let i = 0; i < 13; i++) assert.ok((await l.hit('k', 1e9, 10)).allowed);
    // Two reservations of 12, not of 50 (what ⌊1e9 / 50⌋ would give).
    assert.equal(Number(await redis.get(`rl:${RUN}:fixed:k`)), 24);
  });

  it('reservations for many keys in one tick go together and each gets its own lease and limit', async () => {
    const l = limiter();
    const keys = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    // Limit 3 (lease 1) for the odd keys: four hits each, in one tick, the fourth refused.
    const decisions = await Promise.all(
      keys.flatMap((k, i) => Array.from({ length: i % 2 ? 4 : 1 }, () => l.hit(k, i % 2 ? 3 : 600, 10).then((d) => [k, d.allowed] as const))),
    );
    for (const [i, k] of keys.entries()) {
      const mine = decisions.filter(([key]) => key === k).map(([, allowed]) => allowed);
      assert.deepEqual(mine, i % 2 ? [true, true, true, false] : [true], k);
      assert.equal(Number(await redis.get(`rl:${RUN}:${k}`)), i % 2 ? 4 : 12, k);
    }
  });

  it('reservations from separate callbacks of one turn of the event loop go in one pipeline', async (t) => {
    // As the sockets read in one poll phase: each hit from a callback of its own in the same phase
    // (here the check phase: Node drains the nextTick queue after each of these callbacks).
    const own = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
    const l = new LeasedRateLimiter(own, `rl:${RUN}:turn:`, 500);
    t.after(async () => {
      await l.close();
      await own.quit();
    });
    let pipelines = 0;
    const pipeline = own.pipeline.bind(own);
    own.pipeline = ((...args: Parameters<typeof own.pipeline>) => (pipelines++, pipeline(...args))) as typeof own.pipeline;
    const hits: Promise<boolean>[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 5; i++) setImmediate(() => (hits.push(l.hit(`k${i}`, 600, 10).then((d) => d.allowed)), i === 4 && resolve()));
    });
    const decisions = await Promise.all(hits);
    assert.deepEqual(decisions, [true, true, true, true, true]);
    assert.equal(pipelines, 1);
    for (let i = 0; i < 5; i++) assert.equal(Number(await own.get(`rl:${RUN}:turn:k${i}`)), 12);
  });

  it('several processes: never more than the limit, and no fewer than limit − (P − 1) × (lease − 1)', async () => {
    const processes = [limiter(), limiter(), limiter()];
    const key = 'shared';
    let allowed = 0;
    let refused = 0;
    // Round robin, as a user's sockets on three nodes would send; then each node until refused.
    for (let i = 0; i < 700; i++) if ((await processes[i % 3]!.hit(key, 600, 10)).allowed) allowed++;
    for (const p of processes) while ((await p.hit(key, 600, 10)).allowed) allowed++;
    for (const p of processes) if (!(await p.hit(key, 600, 10)).allowed) refused++;
    assert.equal(allowed, 600);
    assert.equal(refused, 3);
  });

  it('a process refuses once others hold the rest of the window, within the stated bound', async () => {
    const [a, b] = [limiter(), limiter()];
    const key = 'bound';
    // b takes one lease (12) and uses one hit of it; a then uses up everything else.
    assert.ok((await b.hit(key, 600, 10)).allowed);
    let aAllowed = 0;
    while ((await a.hit(key, 600, 10)).allowed) aAllowed++;
    assert.equal(aAllowed, 600 - 12);
    // b's 11 unspent tokens are the error: the user was refused on a after 589 = 600 − 1 × 11.
    for (let i = 0; i < 11; i++) assert.ok((await b.hit(key, 600, 10)).allowed);
    assert.equal((await b.hit(key, 600, 10)).allowed, false);
  });

  it('a new window starts with the Redis key: its expiry ends every lease of the old one', async () => {
    let clock = Date.now();
    const l = limiter(() => clock);
    const key = 'window';
    for (let i = 0; i < 3; i++) assert.ok((await l.hit(key, 3, 1)).allowed);
    assert.equal((await l.hit(key, 3, 1)).allowed, false);
    await new Promise((r) => setTimeout(r, 1100)); // the Redis key expires
    clock += 1100;
    assert.ok((await l.hit(key, 3, 1)).allowed);
  });
});
