import type { Redis } from 'ioredis';

/**
 * SOCKETS_PER_USER: which sockets a user holds, oldest first, across every process. `admit`
 * records a new socket and answers the ids of the user's oldest sockets beyond the limit (the
 * caller disconnects them, wherever they are connected); `remove` forgets a closed one.
 */
export interface SocketRegistry {
  admit(userId: number, socketId: string): Promise<string[]>;
  remove(userId: number, socketId: string): Promise<void>;
}

/** One process: the order of admission. */
export class MemorySocketRegistry implements SocketRegistry {
  private readonly byUser = new Map<number, Set<string>>();

  constructor(private readonly limit: number) {}

  async admit(userId: number, socketId: string): Promise<string[]> {
    let sockets = this.byUser.get(userId);
    if (!sockets) this.byUser.set(userId, (sockets = new Set()));
    sockets.add(socketId);
    const evicted: string[] = [];
    // A Set iterates in insertion order: the first ones are the oldest.
    for (const id of sockets) {
      if (sockets.size - evicted.length <= this.limit) break;
      evicted.push(id);
    }
    for (const id of evicted) sockets.delete(id);
    return evicted;
  }

  async remove(userId: number, socketId: string): Promise<void> {
    const sockets = this.byUser.get(userId);
    sockets?.delete(socketId);
    if (sockets?.size === 0) this.byUser.delete(userId);
  }
}

/**
 * Adds the socket scored by Redis's own clock (one clock for every process, microseconds), then
 * takes the oldest beyond ARGV[2] out of the set and answers them. The set expires a day after its
 * last admission, so that ids left by a process that died (never removed) do not stay forever; they
 * are the oldest, so they are also the first evicted.
 */
const ADMIT = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
redis.call('EXPIRE', KEYS[1], 86400)
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if over <= 0 then return {} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, over - 1)
redis.call('ZREM', KEYS[1], unpack(oldest))
return oldest`;

/** Every process: a sorted set per user in Redis. */
export class RedisSocketRegistry implements SocketRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
    private readonly prefix: string,
  ) {}

  private key(userId: number): string {
    return `${this.prefix}:sockets:user:${userId}`;
  }

  async admit(userId: number, socketId: string): Promise<string[]> {
    return (await this.redis.eval(ADMIT, 1, this.key(userId), socketId, this.limit)) as string[];
  }

  async remove(userId: number, socketId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), socketId);
  }
}
