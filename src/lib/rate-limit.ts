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
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
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
    window.count += 1;
    return decision(window.count, limit, window.resetAt - now);
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
    const redisKey = this.prefix + key;
    // INCR and the expiry in one round trip; NX keeps the window's first expiry.
    const exec = this.redis
      .multi()
      .incr(redisKey)
      .pexpire(redisKey, windowSeconds * 1000, 'NX')
      .pttl(redisKey)
      .exec();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('rate limiter: Redis timed out')), this.timeoutMs);
    });
    exec.catch(() => {}); // may settle after the timeout
    const result = await Promise.race([exec, timeout]).finally(() => clearTimeout(timer));
    const failed = !result || result.some(([error]) => error);
    if (failed) throw new Error('rate limiter: Redis transaction failed');
    const count = Number(result[0]?.[1]);
    const ttl = Number(result[2]?.[1]);
    return decision(count, limit, ttl > 0 ? ttl : windowSeconds * 1000);
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}

function decision(count: number, limit: number, msLeft: number): RateDecision {
  return {
    allowed: count <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
    remaining: Math.max(0, limit - count),
  };
}
