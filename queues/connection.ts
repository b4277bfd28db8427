/**
 * The one Redis connection factory. BullMQ needs `maxRetriesPerRequest: null`
 * on connections that block (workers, QueueEvents); we apply it everywhere so
 * a Redis restart makes commands wait and reconnect instead of failing.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Options for {@link createRedis}. */
export interface RedisConnectionOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Connection name shown in `CLIENT LIST`. */
  name?: string;
  /** Fail fast instead of queueing commands while disconnected (for health checks and CLIs). */
  failFast?: boolean;
}

/** Create an ioredis connection with the options BullMQ requires. */
export function createRedis(opts: RedisConnectionOptions): Redis {
  const extra: RedisOptions = {
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    enableOfflineQueue: !opts.failFast,
    connectionName: opts.name,
    // Back off up to 2 s between reconnect attempts; never give up.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    lazyConnect: false,
  };
  return new Redis(opts.url, extra);
}
