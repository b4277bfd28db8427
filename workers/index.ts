/**
 * Start workers for a set of queues in this process. Each worker gets its own
 * Redis connection, logs its queue and concurrency, reports errors through
 * the logger, and records terminal failures on the run.
 */
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import { DEFAULT_LOCK_MS, DEFAULT_MAX_STALLED, DEFAULT_STALLED_INTERVAL_MS } from '../queues/catalog';
import { createRedis } from '../queues/connection';
import { QUEUES, type QueueName } from '../queues/names';
import type { Resources } from '../src/context';
import { createCostEstimator } from '../src/runs/estimate-cost';
import { createRunProcessor } from '../src/runs/run-processor';
import { createCleanProcessor } from './clean';
import { onCleanCompleted, onCleanFailed, onRunFailed } from './failures';
import { HOUSEKEEPING } from './housekeeping';
import { createMaintenanceProcessor, type HousekeepingTask } from './maintenance';
import { createNotifyProcessor } from './notify';
import { instrumentWorker, startProcessHeartbeat, workerId } from '../src/metrics';

/** Options for {@link startWorkers}. */
export interface StartWorkersOptions {
  queues?: readonly QueueName[];
  /** Concurrency of the clean queue; other queues use smaller fixed values. */
  concurrency?: number;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  /** Housekeeping tasks served by the maintenance worker. */
  housekeeping?: Readonly<Record<string, HousekeepingTask>>;
}

/** Running workers. */
export interface WorkerSet {
  workers: Worker[];
  /** Stop taking jobs, let active ones finish, then close. */
  close(): Promise<void>;
}

/** Queues a worker process serves by default. */
export const WORKER_QUEUES: readonly QueueName[] = [QUEUES.pipeline, QUEUES.clean, QUEUES.maintenance, QUEUES.notify];

/** Start workers for the given queues. */
export function startWorkers(res: Resources, opts: StartWorkersOptions = {}): WorkerSet {
  const queues = opts.queues ?? WORKER_QUEUES;
  const concurrency = opts.concurrency ?? res.config.workerConcurrency;
  const base = (name: string, conc: number): WorkerOptions => ({
    connection: createRedis({ url: res.config.redisUrl, name: `${res.config.queuePrefix}:worker:${name}` }),
    prefix: res.config.queuePrefix,
    concurrency: conc,
    name: workerId(),
    lockDuration: opts.lockDuration ?? res.config.workerLockMs ?? DEFAULT_LOCK_MS,
    stalledInterval: opts.stalledInterval ?? res.config.workerStalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: opts.maxStalledCount ?? DEFAULT_MAX_STALLED,
  });
  const workers: Worker[] = [];
  const add = (w: Worker, onFailed?: (job: Job, err: Error) => Promise<void>) => {
    w.on('error', (err) => res.logger.error('worker error', { queue: w.name, error: err.message }));
    // Job durations, run outcomes, rows and LLM usage go to Redis-backed counters that /metrics reads.
    instrumentWorker(res, w);
    if (onFailed) {
      w.on('failed', (job, err) => {
        if (job) void onFailed(job, err).catch((e: Error) => res.logger.error('failure handler error', { queue: w.name, error: e.message }));
      });
    }
    workers.push(w);
    res.logger.info('worker started', { queue: w.name, concurrency: w.opts.concurrency, prefix: res.config.queuePrefix, pid: process.pid });
  };
  if (queues.includes(QUEUES.pipeline)) {
    add(new Worker(QUEUES.pipeline, createRunProcessor(res, { estimateCost: createCostEstimator(res) }), base(QUEUES.pipeline, Math.max(2, Math.ceil(concurrency / 2)))), (j, e) => onRunFailed(res, j, e));
  }
  if (queues.includes(QUEUES.clean)) {
    const cw = new Worker(QUEUES.clean, createCleanProcessor(res), base(QUEUES.clean, concurrency));
    // Success samples feed the alert rules (error rate, throughput, latency); failures are recorded in onCleanFailed.
    cw.on('completed', (job, result) => {
      void onCleanCompleted(res, job, result).catch((e: Error) => res.logger.warn('chunk metric not recorded', { error: e.message }));
    });
    add(cw, (j, e) => onCleanFailed(res, j, e));
  }
  if (queues.includes(QUEUES.maintenance)) {
    add(new Worker(QUEUES.maintenance, createMaintenanceProcessor(res, opts.housekeeping ?? Object.fromEntries(HOUSEKEEPING.map((h) => [h.name, h.task]))), base(QUEUES.maintenance, 1)));
  }
  if (queues.includes(QUEUES.notify)) {
    add(new Worker(QUEUES.notify, createNotifyProcessor(res), base(QUEUES.notify, 2)));
  }
  const stopHeartbeat = startProcessHeartbeat(res, workers.map((w) => w.name));
  return {
    workers,
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await stopHeartbeat();
    },
  };
}
