/**
 * The typed job catalog: for every queue, its job names, the zod schema of
 * each job's data, and default options (attempts, backoff, retention).
 * Producers and workers both import this file; handler types are inferred from it.
 */
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { NOTIFY_JOB_OPTIONS, notifyJobSchema } from '../src/notify/throttle';
import { QUEUES } from './names';

const DAY = 24 * 3600;

/** Retention that keeps Redis bounded: completed jobs 7 days / 2,000; failed 30 days / 10,000. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 7 * DAY, count: 2000 },
  removeOnFail: { age: 30 * DAY, count: 10_000 },
};

/** Run ids are job ids: no ':' (BullMQ reserves it), safe in file names. */
export const runIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,80}$/, 'run ids use letters, digits, _ and -');

/** What can be overridden per run (POST /api/runs `overrides`). */
export const runOverridesSchema = z
  .object({
    options: z.record(z.string(), z.unknown()).optional(),
    chunk_size: z.number().int().positive().max(1_000_000).optional(),
    task: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'task names use letters, digits, _ and -').optional(),
  })
  .strict();
/** Per-run overrides. */
export type RunOverrides = z.infer<typeof runOverridesSchema>;

/** Progress of a run job, kept in its data so every step can resume after a crash. */
export const runStepStateSchema = z.object({
  step: z.enum(['collect', 'fanout', 'finalize', 'done']).default('collect'),
  /** Keys reserved for this run's files (chosen once, reused on retries). */
  keys: z.object({ raw: z.string(), processed: z.string(), output: z.string() }).optional(),
  raw: z.object({ key: z.string(), rows: z.number().int().min(0) }).optional(),
  chunks: z.number().int().min(0).optional(),
  /** Chunk size used at fan-out; later steps use it even if pipelines.yaml changed meanwhile. */
  chunkSize: z.number().int().positive().optional(),
  timings: z.record(z.string(), z.number()).default({}),
});

/** Data of a `run` job on the `pipeline` queue. */
export const runJobSchema = z
  .object({
    runId: runIdSchema,
    pipeline: z.string(),
    trigger: z.enum(['api', 'schedule', 'cli', 'dlq']),
    overrides: runOverridesSchema.optional(),
    requestedAt: z.string(),
  })
  .and(runStepStateSchema);
/** Data of a run job. */
export type RunJobData = z.infer<typeof runJobSchema>;

/** Data of a `chunk` job on the `clean` queue: references only, never rows. */
export const chunkJobSchema = z.object({
  runId: runIdSchema,
  pipeline: z.string(),
  chunkIndex: z.number().int().min(0),
  rawKey: z.string(),
  offset: z.number().int().min(0),
  limit: z.number().int().positive(),
  task: z.string(),
  partKey: z.string(),
});
/** Data of a chunk job. */
export type ChunkJobData = z.infer<typeof chunkJobSchema>;

/** What a chunk job returns: a small summary, never rows. */
export const chunkResultSchema = z.object({
  chunkIndex: z.number().int(),
  partKey: z.string(),
  rows: z.number().int(),
  cleaned: z.number().int(),
  failed: z.number().int(),
  durationMs: z.number(),
  /** `host:pid` of the worker process that cleaned the chunk. */
  worker: z.string().optional(),
  llm: z.object({
    requests: z.number(),
    promptTokens: z.number(),
    completionTokens: z.number(),
    tokens: z.number(),
    costUsd: z.number(),
    cacheHits: z.number(),
  }),
});
/** A chunk job's return value. */
export type ChunkResult = z.infer<typeof chunkResultSchema>;

/** Data of a housekeeping job on the `maintenance` queue. */
export const maintenanceJobSchema = z.object({ task: z.enum(['watchdog', 'dlq-retry', 'backup', 'retention', 'alerts', 'digest', 'missed-schedules']) });

/** Data of a `schedule` job a pipeline's job scheduler fires on the `maintenance` queue; it starts a run. */
export const scheduleJobSchema = z.object({ task: z.literal('schedule'), pipeline: z.string() });

/** Job names per queue with their schema and default options. */
export const JOBS = {
  [QUEUES.pipeline]: {
    run: {
      schema: runJobSchema,
      // 1 try + 3 retries with exponential backoff (2 s, 4 s, 8 s). Steps resume from job data.
      options: { attempts: 4, backoff: { type: 'exponential', delay: 2000 }, ...RETENTION } satisfies JobsOptions,
    },
  },
  [QUEUES.clean]: {
    chunk: {
      schema: chunkJobSchema,
      options: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, ...RETENTION } satisfies JobsOptions,
    },
  },
  [QUEUES.notify]: {
    send: { schema: notifyJobSchema, options: NOTIFY_JOB_OPTIONS },
  },
  // `dead-letter` holds copies of jobs that exhausted their attempts (see src/dlq/types.ts); it stays
  // paused and has no worker, so its jobs are records, not work.
  [QUEUES.maintenance]: {
    schedule: {
      schema: scheduleJobSchema,
      options: { removeOnComplete: { age: DAY, count: 200 }, removeOnFail: { age: 7 * DAY, count: 500 } } satisfies JobsOptions,
    },
    housekeeping: {
      schema: maintenanceJobSchema,
      options: { attempts: 2, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: DAY, count: 200 }, removeOnFail: { age: 7 * DAY, count: 500 } } satisfies JobsOptions,
    },
  },
} as const;

/** Lock duration for workers: long enough for a chunk's slowest batch, renewed automatically. */
export const DEFAULT_LOCK_MS = 60_000;
/** How often BullMQ looks for stalled jobs (jobs whose worker died). */
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
/** How often a job may stall before it fails. */
export const DEFAULT_MAX_STALLED = 3;
