/**
 * An express-rate-limit store in Redis, so every API replica counts against
 * the same per-token (or per-IP) budget. A fixed window per key: the first hit
 * starts the window's expiry; the reply carries when it resets.
 */
import type { Redis } from 'ioredis';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';

const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

/** Rate-limit counters shared by every process through Redis. */
export class RedisRateLimitStore implements Store {
  /** Counters are not local to this process. */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const [hits, ttl] = (await this.redis.eval(INCREMENT, 1, this.k(key), String(this.windowMs))) as [number, number];
    return { totalHits: hits, resetTime: new Date(Date.now() + ttl) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.k(key));
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.k(key));
  }

  private k(key: string): string {
    return `${this.prefix}:${key}`;
  }
}
