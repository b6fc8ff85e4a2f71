import type { Redis } from 'ioredis';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds: number;
  remaining: number;
}

/**
 * Fixed-window counters. One interface, two stores: in memory for a lone process, Redis when
 * REDIS_URL is set so that a limit holds across every API process.
 *
 * `hit` is one atomic step: it counts the hit and allows it, or — the window's limit reached —
 * refuses it and counts nothing. `release` hands back one allowed hit of the current window (a
 * login attempt that turned out to be correct: only failures count). Counting first and refunding
 * afterwards is what keeps parallel attempts exact; checking the count first and counting after
 * the outcome lets every attempt in flight pass the check.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  /**
   * The decision `hit` would make, taken now, when it needs no I/O (a leased limiter with tokens
   * in hand, or refused until the window ends); undefined when only `hit` can decide. Optional: for
   * hot paths that want to skip a promise per hit.
   */
  hitNow?(key: string, limit: number, windowSeconds: number): RateDecision | undefined;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Drop ended windows now and then so that many distinct keys cannot grow the map forever.
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    if (window.count >= limit) return decision(limit + 1, limit, window.resetAt - now);
    window.count += 1;
    return decision(window.count, limit, window.resetAt - now);
  }

  async release(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.resetAt > this.now() && window.count > 0) window.count -= 1;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

/**
 * Counters in Redis, shared by every API process. When Redis does not answer (down, restarting,
 * or slower than `timeoutMs`), the limit falls back to this process's own memory counters until it
 * is back: limits then hold per process instead of failing every login and message with a 500.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback: MemoryRateLimiter;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'rl:',
    private readonly timeoutMs = 500,
    now: () => number = Date.now,
  ) {
    this.fallback = new MemoryRateLimiter(now);
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    try {
      return await this.redisHit(key, limit, windowSeconds);
    } catch {
      return this.fallback.hit(key, limit, windowSeconds);
    }
  }

  private async redisHit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const [count, ttl] = await withTimeout(
      this.redis.eval(HIT, 1, this.prefix + key, limit, windowSeconds * 1000) as Promise<[number, number]>,
      this.timeoutMs,
    );
    return decision(Number(count), limit, Number(ttl) > 0 ? Number(ttl) : windowSeconds * 1000);
  }

  async release(key: string): Promise<void> {
    try {
      await withTimeout(this.redis.eval(RELEASE, 1, this.prefix + key) as Promise<number>, this.timeoutMs);
    } catch {
      await this.fallback.release(key);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}

/** Counts a hit unless the window's limit (ARGV[1]) is reached; a refused hit counts nothing, so
 * that a release can hand back exactly the hits that were allowed. Starts the window's expiry
 * (ARGV[2] ms) with its first hit, and gives one to a key left without. Returns the count the hit
 * would have made (limit + 1 when refused) and the window's ms left. */
const HIT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if n < limit then n = redis.call('INCR', KEYS[1]) else n = limit + 1 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 and n <= limit then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {n, ttl}`;

/** Hands back one hit of a window still running; never below zero, never revives an ended window. */
const RELEASE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('rate limiter: Redis timed out')), timeoutMs);
  });
  work.catch(() => {}); // may settle after the timeout
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function decision(count: number, limit: number, msLeft: number): RateDecision {
  return {
    allowed: count <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
    remaining: Math.max(0, limit - count),
  };
}

/** A share of a Redis window's count that this process has taken and may hand out locally. */
interface Lease {
  /** Hits this process may still allow without asking Redis. */
  tokens: number;
  /** When the Redis window (and so the lease) ends, ms since the epoch. */
  endsAt: number;
  /** Redis said the window's limit is reached: refuse locally until it ends. */
  exhausted: boolean;
  /** The window's count in Redis after this process's last reservation. */
  counted: number;
  /** Hits this process allowed from its leases in this window and not released: what it may hand back. */
  spent: number;
  /** A reservation under way; later hits for the key wait for it instead of starting another. */
  pending: Promise<void> | null;
}

/** Reserves ARGV[1] of the window's count: INCRBY, the window's expiry on its first reservation
 * (and on a key left without one), and what is left of it. One round trip, one command. */
const RESERVE = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {n, ttl}`;

/** Most hits one reservation takes. */
const MAX_LEASE = 50;

/** The RESERVE script as an ioredis command: EVALSHA, and EVAL only after a NOSCRIPT. */
const RESERVE_COMMAND = 'leasedLimitReserve';
type ReservingRedis = Redis & {
  [RESERVE_COMMAND](key: string, size: number, windowMs: number): Promise<[number, number]>;
};

/** A reservation waiting for the end of this turn of the event loop, to go to Redis with the others of the turn. */
interface Reservation {
  key: string;
  size: number;
  windowMs: number;
  resolve: (reply: [number, number]) => void;
  reject: (error: unknown) => void;
}

/**
 * The same fixed-window limit as RedisRateLimiter, shared by every process through the same kind of
 * Redis counter, for limits hit on a hot path (a chat message): instead of one Redis round trip per
 * hit, a process reserves a lease of `⌊limit / 50⌋` hits at a time (1–50: exact for small limits)
 * with one INCRBY, then allows hits from it in memory until it is used up or the window ends.
 *
 * The bound on the error, across P processes sharing the counter: never more than `limit` hits
 * are allowed in a window (a lease is only granted from what the counter still had), and a caller
 * is refused no earlier than after `limit − (P − 1) × (lease − 1)` allowed hits — the other
 * processes' unused lease tokens, counted in Redis but not spent. For the per-user chat limit of
 * 600 messages per 10 s (lease 12) that is at least 589 with two processes and 567 with four.
 *
 * When Redis does not answer, hits fall back to per-process memory counters, as RedisRateLimiter.
 */
export class LeasedRateLimiter implements RateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly fallback: MemoryRateLimiter;
  private readonly sweeper: NodeJS.Timeout;
  private readonly redis: ReservingRedis;
  /** Reservations of this turn of the event loop, sent together (one socket write) after its I/O callbacks. */
  private batch: Reservation[] = [];

  /** `lease`: hits one reservation takes whatever the limit (default: `leaseSize(limit)`). */
  constructor(
    redis: Redis,
    private readonly prefix = 'rl:',
    private readonly timeoutMs = 500,
    private readonly now: () => number = Date.now,
    private readonly lease?: number,
  ) {
    if (!(RESERVE_COMMAND in redis)) redis.defineCommand(RESERVE_COMMAND, { numberOfKeys: 1, lua: RESERVE });
    this.redis = redis as ReservingRedis;
    this.fallback = new MemoryRateLimiter(now);
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** How many hits one reservation takes for `limit`. */
  static leaseSize(limit: number): number {
    return Math.max(1, Math.min(MAX_LEASE, Math.floor(limit / 50)));
  }

  /** `hit` when the lease in hand decides (the same steps as the first turn of its loop). */
  hitNow(key: string, limit: number, _windowSeconds: number): RateDecision | undefined {
    const lease = this.leases.get(key);
    if (!lease || lease.pending) return undefined;
    const now = this.now();
    if (lease.endsAt <= now) return undefined;
    return this.take(lease, limit, now);
  }

  /** A token from the lease in hand, or its refusal once exhausted; undefined: reserve more. */
  private take(lease: Lease, limit: number, now: number): RateDecision | undefined {
    if (lease.tokens > 0) {
      lease.tokens -= 1;
      lease.spent += 1;
      return decision(lease.counted - lease.tokens, limit, lease.endsAt - now);
    }
    return lease.exhausted ? decision(limit + 1, limit, lease.endsAt - now) : undefined;
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    for (;;) {
      const now = this.now();
      let lease = this.leases.get(key);
      if (lease && lease.endsAt <= now && !lease.pending) {
        this.leases.delete(key);
        lease = undefined;
      }
      if (lease?.pending) {
        try {
          await lease.pending;
        } catch {
          return this.fallback.hit(key, limit, windowSeconds);
        }
        continue;
      }
      const taken = lease && this.take(lease, limit, now);
      if (taken) return taken;
      const current = lease ?? { tokens: 0, endsAt: now + windowSeconds * 1000, exhausted: false, counted: 0, spent: 0, pending: null };
      this.leases.set(key, current);
      current.pending = this.reserve(key, current, limit, windowSeconds).finally(() => {
        current.pending = null;
      });
      // Loop: take from the new lease (or see the refusal) like every other waiting hit.
    }
  }

  private async reserve(key: string, lease: Lease, limit: number, windowSeconds: number): Promise<void> {
    const size = this.lease ?? LeasedRateLimiter.leaseSize(limit);
    const [count, ttl] = await new Promise<[number, number]>((resolve, reject) => {
      if (this.batch.push({ key: this.prefix + key, size, windowMs: windowSeconds * 1000, resolve, reject }) === 1) {
        // setImmediate, not nextTick: the sockets read in one poll phase each run their own callback,
        // and nextTick would send each callback's reservation in a write of its own. A chat profile at
        // saturation (lease 12) had these writes at 2.8 % of the server's busy time; after the poll
        // phase, one pipeline carries them all, at the cost of one loop turn for the first hit.
        setImmediate(() => this.flush());
      }
    });
    const before = Number(count) - size;
    const granted = Math.max(0, Math.min(size, limit - before));
    lease.tokens += granted; // += : a hit released while this reservation was under way is kept
    lease.counted = Math.min(Number(count), limit);
    lease.endsAt = this.now() + Math.max(1, Number(ttl));
    lease.exhausted = granted < size;
  }

  /** Sends the turn's reservations: one EVALSHA alone, several in one pipeline (one write), under one timeout. */
  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 1) {
      const only = batch[0]!;
      withTimeout(this.redis[RESERVE_COMMAND](only.key, only.size, only.windowMs), this.timeoutMs).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.redis.pipeline() as unknown as Record<typeof RESERVE_COMMAND, (key: string, size: number, windowMs: number) => unknown> & {
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const r of batch) pipeline[RESERVE_COMMAND](r.key, r.size, r.windowMs);
    withTimeout(pipeline.exec(), this.timeoutMs).then(
      (replies) => {
        batch.forEach((r, i) => {
          const [error, reply] = replies?.[i] ?? [new Error('rate limiter: no reply from Redis'), null];
          if (error) r.reject(error);
          else r.resolve(reply as [number, number]);
        });
      },
      (error: unknown) => {
        for (const r of batch) r.reject(error);
      },
    );
  }

  /**
   * An allowed hit goes back to this process's lease: it is still counted in Redis, so handing it
   * out again can never take the window past its limit. A hit that the fallback allowed (Redis
   * was down, so no lease) goes back to the fallback.
   */
  async release(key: string): Promise<void> {
    const lease = this.leases.get(key);
    if (lease && lease.endsAt > this.now() && lease.spent > 0) {
      lease.spent -= 1;
      lease.tokens += 1;
      return;
    }
    await this.fallback.release(key);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, lease] of this.leases) if (lease.endsAt <= now && !lease.pending) this.leases.delete(key);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.fallback.close();
  }
}
