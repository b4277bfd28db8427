/**
 * The resources object every processor, route and command receives: config,
 * logger, Redis, storage, queues and run store. Built once per process and
 * injected, so tests can point it at a unique queue prefix and fake servers.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { Catalog } from './catalog';
import { createLogger, type Logger } from './logger';
import { createRedis } from '../queues/connection';
import { ALL_QUEUES, type QueueName } from '../queues/names';
import { RunStore } from './runs/run-store';
import { createStore } from './storage/factory';
import type { ObjectStore } from './storage/object-store';

/** Shared dependencies of one process. */
export interface Resources {
  config: Readonly<Config>;
  logger: Logger;
  /** Non-blocking connection for queues and our own keys. */
  redis: Redis;
  store: ObjectStore;
  queues: Readonly<Record<QueueName, Queue>>;
  runs: RunStore;
  /** Dataset catalog (sidecars indexed in Redis). */
  catalog: Catalog;
  /** Prefix of the application's own Redis keys (`<QUEUE_PREFIX>:app`). */
  keyPrefix: string;
  /** Close queues and connections. */
  close(): Promise<void>;
}

/** Options for {@link createResources}. */
export interface ResourceOptions {
  logger?: Logger;
  store?: ObjectStore;
}

/** Build the resources of a process from its config. Connects to Redis lazily through ioredis. */
export function createResources(config: Readonly<Config>, opts: ResourceOptions = {}): Resources {
  const logger =
    opts.logger ??
    createLogger({ level: config.logLevel, secrets: [...config.apiTokens.map((t) => t.token), config.llm.apiKey ?? ''].filter(Boolean) });
  const redis = createRedis({ url: config.redisUrl, name: `${config.queuePrefix}:app` });
  redis.on('error', (err) => logger.warn('redis connection error', { error: err.message }));
  const queues = Object.fromEntries(
    ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: config.queuePrefix })]),
  ) as Record<QueueName, Queue>;
  for (const q of Object.values(queues)) q.on('error', (err) => logger.warn('queue error', { queue: q.name, error: err.message }));
  const keyPrefix = `${config.queuePrefix}:app`;
  const store = opts.store ?? createStore(config);
  return {
    config,
    logger,
    redis,
    store,
    queues,
    runs: new RunStore(redis, keyPrefix),
    catalog: new Catalog({ redis, keyPrefix: `${keyPrefix}:catalog`, store }),
    keyPrefix,
    async close() {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
