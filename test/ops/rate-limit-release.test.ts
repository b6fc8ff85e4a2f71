import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { LeasedRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../../src/lib/rate-limit.js';
import { REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';

/**
 * hit + release, the pair the login limit is built on (count the attempt first, hand it back when
 * the password was right): a hit is atomic and a refused hit counts nothing, so N parallel hits
 * allow exactly `limit`, and a release frees exactly one allowed hit — never more, never below zero.
 * The same properties for each store; the Redis ones against a real Redis, two "processes" (two
 * limiters) sharing one counter.
 */
const skip = await skipUnlessServices('test/ops/rate-limit-release.test.ts', 'redis');
const RUN = `test-release-${Date.now()}-${randomBytes(4).toString('hex')}`;
let sequence = 0;
const freshKey = () => `key-${++sequence}`;
const allowedOf = (decisions: { allowed: boolean }[]) => decisions.filter((d) => d.allowed).length;

function properties(name: string, make: () => RateLimiter, options: { skip?: boolean | string } = {}) {
  describe(name, options, () => {
    let a: RateLimiter;
    let b: RateLimiter;
    before(() => {
      a = make();
      b = make();
    });
    after(async () => {
      await a.close();
      await b.close();
    });

    it('50 parallel hits (half on each limiter) allow exactly the limit of 5', async () => {
      const key = freshKey();
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).hit(key, 5, 60)));
      assert.equal(allowedOf(decisions), 5);
      assert.ok(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60));
    });

    it('a release frees exactly one allowed hit; refused hits counted nothing', async () => {
      const key = freshKey();
      for (let i = 0; i < 3; i++) assert.ok((await a.hit(key, 3, 60)).allowed);
      for (let i = 0; i < 10; i++) assert.equal((await a.hit(key, 3, 60)).allowed, false);
      await a.release(key);
      assert.ok((await a.hit(key, 3, 60)).allowed, 'the released hit is free again');
      assert.equal((await a.hit(key, 3, 60)).allowed, false, 'one release, one hit: the 10 refused ones are not owed');
    });

    it('parallel hit-then-release (every attempt handed back) never locks anyone out', async () => {
      const key = freshKey();
      for (let round = 0; round < 5; round++) {
        const decisions = await Promise.all(Array.from({ length: 4 }, async (_, i) => {
          const limiter = i % 2 ? a : b;
          const d = await limiter.hit(key, 4, 60);
          if (d.allowed) await limiter.release(key);
          return d;
        }));
        assert.equal(allowedOf(decisions), 4, `round ${round}`);
      }
    });

    it('releasing more than was allowed frees nothing extra', async () => {
      const key = freshKey();
      await a.release(key);
      assert.ok((await a.hit(key, 1, 60)).allowed);
      await a.release(key);
      await a.release(key);
      await a.release(key);
      assert.ok((await a.hit(key, 1, 60)).allowed);
      assert.equal((await a.hit(key, 1, 60)).allowed, false);
    });
  });
}

// One process: both "limiters" are the same store.
const memory = new MemoryRateLimiter();
properties('MemoryRateLimiter', () => memory);

const redisClients: Redis[] = [];
const redis = () => {
  const r = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 2 });
  redisClients.push(r);
  return r;
};
properties('RedisRateLimiter', () => new RedisRateLimiter(redis(), `rl:${RUN}:redis:`), { skip });
properties('LeasedRateLimiter (a lease of 1 at these limits)', () => new LeasedRateLimiter(redis(), `rl:${RUN}:leased:`), { skip });

after(async () => {
  if (redisClients.length === 0) return;
  const cleaner = redisClients[0]!;
  const keys = await cleaner.keys(`rl:${RUN}:*`);
  if (keys.length > 0) await cleaner.del(...keys);
  for (const r of redisClients) await r.quit();
});
