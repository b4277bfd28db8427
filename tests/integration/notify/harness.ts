/**
 * Test harness for notices: real Redis, a real notify Queue + Worker calling
 * processNotifyJob, and a real SMTP sink. One unique prefix per harness.
 */
import { EventEmitter } from 'node:events';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config';
import { silentLogger } from '../../../src/logger';
import type { NoticeEvent } from '../../../src/notify/events';
import { processNotifyJob, type NotifyDeps, type NotifyResult } from '../../../src/notify/send';
import { raiseNotice } from '../../../src/notify/throttle';
import { createRedis } from '../../../queues/connection';
import { QUEUES } from '../../../queues/names';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PUBLIC_URL = 'http://dataops.test:3000';
let seq = 0;

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  mail?: Partial<Config['mail']>;
  groupWaitMs?: number;
  windowSeconds?: number;
  jobOptions?: Partial<JobsOptions>;
  secrets?: string[];
  concurrency?: number;
}

/** A finished notify job as the worker reported it. */
export interface Finished {
  job: Job;
  result?: NotifyResult;
  error?: Error;
}

export async function startHarness(opts: HarnessOptions = {}) {
  const prefix = `test-notify-${process.pid}-${Date.now()}-${seq++}`;
  const keyPrefix = `${prefix}-keys`;
  const sink: SmtpSink = await startSmtpSink();
  const redis: Redis = createRedis({ url: REDIS_URL, name: prefix });
  const workerRedis: Redis = createRedis({ url: REDIS_URL, name: `${prefix}-worker` });
  const queue = new Queue(QUEUES.notify, { connection: redis, prefix });
  const mail: Config['mail'] = {
    smtpUrl: sink.url,
    from: 'dataops@test.local',
    to: 'ops@test.local, oncall@test.local',
    throttleSeconds: 900,
    groupWaitMs: 300,
    ...opts.mail,
  } as Config['mail'];
  const logger = silentLogger();
  const deps: NotifyDeps = { redis, keyPrefix, logger, queue, mail, publicUrl: PUBLIC_URL, secrets: opts.secrets };
  const events = new EventEmitter();
  const completed: Finished[] = [];
  const failed: Finished[] = [];
  const worker = new Worker(QUEUES.notify, (job) => processNotifyJob(job, deps), {
    connection: workerRedis,
    prefix,
    concurrency: opts.concurrency ?? 4,
  });
  worker.on('completed', (job, result: NotifyResult) => {
    completed.push({ job, result });
    events.emit('change');
  });
  worker.on('failed', (job, error) => {
    if (job) failed.push({ job, error });
    events.emit('change');
  });
  worker.on('error', () => undefined);
  await worker.waitUntilReady();

  /** Wait until `pred()` holds, re-checking on every worker event (no sleeps). */
  const waitFor = (pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        events.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => {
        events.off('change', check);
        reject(new Error(`timed out waiting for ${what} (completed=${completed.length}, failed=${failed.length})`));
      }, timeoutMs);
      events.on('change', check);
      check();
    });

  const raise = (e: NoticeEvent) =>
    raiseNotice(
      { redis, keyPrefix, queue, logger, groupWaitMs: opts.groupWaitMs ?? 100, windowSeconds: opts.windowSeconds ?? 60, jobOptions: opts.jobOptions },
      e,
    );

  /** Jobs still pending in any state except completed/failed. */
  const pending = async (): Promise<number> => {
    const c = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };

  const close = async (): Promise<void> => {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await sink.stop();
    await Promise.all([redis.quit(), workerRedis.quit()]);
  };

  return { prefix, keyPrefix, sink, redis, queue, mail, deps, worker, completed, failed, waitFor, raise, pending, close };
}

/** A harness as {@link startHarness} returns it. */
export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** An error with a 12-line stack, so tests can check that only the top 8 lines are shown. */
export function fakeError(message: string): { message: string; stack: string } {
  const frames = Array.from({ length: 11 }, (_, i) => `    at frame${i + 1} (/app/src/file${i + 1}.ts:${i + 10}:5)`);
  return { message, stack: [`Error: ${message}`, ...frames].join('\n') };
}
