/**
 * Dead letters: copies of `clean` and `pipeline` jobs that exhausted their
 * attempts, kept as jobs on the `dead-letter` queue (see ./store.ts).
 *
 * One dead letter per unit of work: a chunk (`dl-<runId>-c00012`) or a run
 * (`dl-<runId>`). When a retried job fails again the same letter is updated
 * (failure count, latest error and attempts), so its retry history stays whole.
 */
import { z } from 'zod';

/** Where a dead letter stands. */
export const DEAD_LETTER_STATUSES = ['dead', 'retrying', 'resolved', 'exhausted'] as const;
/**
 * - `dead`: waiting for a retry (automatic with backoff, or by a human)
 * - `retrying`: a retry was enqueued and has not finished
 * - `resolved`: a retry succeeded (kept for its history)
 * - `exhausted`: automatic retries used up; left for a human
 */
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** Queues whose jobs are dead-lettered. */
export const DEAD_LETTER_SOURCES = ['clean', 'pipeline'] as const;
/** A queue whose jobs are dead-lettered. */
export type DeadLetterSource = (typeof DEAD_LETTER_SOURCES)[number];

/** Id of a dead letter, as the API and CLI take it. */
export const deadLetterIdSchema = z.string().regex(/^dl-[A-Za-z0-9_-]{1,160}$/, 'dead letter ids look like dl-<job id>');

/** How a retry re-enqueued the work. */
export type RetryAction =
  /** The failed chunk job was retried in place; its run was still waiting for its chunks. */
  | 'retry-chunk'
  /** The failed chunk job and its failed run job were both retried in place. */
  | 'retry-chunk-and-run'
  /** The run had completed: a new chunk job plus a `refinalize` parent re-ran the chunk and the finalize step. */
  | 'refinalize'
  /** The failed run job was retried in place and resumes from its recorded step. */
  | 'retry-run';

/** A job a retry waits for. */
export interface JobRef {
  queue: DeadLetterSource;
  id: string;
}

/** One retry of a dead letter: who, when, how and with what result. */
export interface RetryEntry {
  at: string;
  /** `api:<role>:<token id>`, `cli:<user>` or `dlq-retry` (the scheduled task). */
  by: string;
  action?: RetryAction;
  /** Jobs whose completion means the retry succeeded. */
  jobs: JobRef[];
  result: 'pending' | 'succeeded' | 'failed';
  finishedAt?: string;
  error?: string;
}

/** One failed attempt of the original job (BullMQ keeps one stack per attempt). */
export interface AttemptRecord {
  attempt: number;
  /** First line of the attempt's stack, e.g. `Error: EISDIR: …`. */
  reason: string;
  stack: string;
}

/** A dead letter (the data of its job on the `dead-letter` queue). */
export interface DeadLetter {
  id: string;
  status: DeadLetterStatus;
  /** Original queue. */
  queue: DeadLetterSource;
  jobName: string;
  /** Job id of the latest failure (the original job, or the job a retry created). */
  jobId: string;
  /** Job id of the first failure. */
  originalJobId: string;
  /** The failed job's data, as it was. */
  data: Record<string, unknown>;
  runId: string;
  pipeline: string;
  chunkIndex?: number;
  /** Step of a run job when it failed (collect | fanout | finalize), or `clean` for chunks. */
  step: string;
  error: { name: string; message: string; stack?: string };
  attempts: { made: number; max: number; history: AttemptRecord[] };
  timestamps: { jobCreatedAt: string; processedAt?: string; failedAt: string; deadLetteredAt: string; updatedAt: string };
  /** How many times this unit of work ended here (1 + failed retries). */
  failures: number;
  /** Parent of a chunk job (its run) at the first failure. */
  parent?: { id: string; queue: string };
  /** The parent run job's data, so a chunk can be re-finalized even after the run job was cleaned up. */
  runSnapshot?: Record<string, unknown>;
  /** Automatic retries made by the `dlq-retry` task. */
  autoRetries: number;
  /** When the `dlq-retry` task may retry next. */
  nextRetryAt?: string;
  resolvedAt?: string;
  retries: RetryEntry[];
}

/** What `GET /api/dlq` lists per letter (no stacks or data). */
export interface DeadLetterSummary {
  id: string;
  status: DeadLetterStatus;
  queue: DeadLetterSource;
  jobName: string;
  jobId: string;
  runId: string;
  pipeline: string;
  chunkIndex?: number;
  step: string;
  error: string;
  attemptsMade: number;
  failures: number;
  deadLetteredAt: string;
  updatedAt: string;
  autoRetries: number;
  nextRetryAt?: string;
  retries: number;
  lastRetry?: Omit<RetryEntry, 'jobs'>;
}

/** The summary of a letter. */
export function summarize(l: DeadLetter): DeadLetterSummary {
  const last = l.retries[l.retries.length - 1];
  return {
    id: l.id,
    status: l.status,
    queue: l.queue,
    jobName: l.jobName,
    jobId: l.jobId,
    runId: l.runId,
    pipeline: l.pipeline,
    chunkIndex: l.chunkIndex,
    step: l.step,
    error: l.error.message,
    attemptsMade: l.attempts.made,
    failures: l.failures,
    deadLetteredAt: l.timestamps.deadLetteredAt,
    updatedAt: l.timestamps.updatedAt,
    autoRetries: l.autoRetries,
    nextRetryAt: l.nextRetryAt,
    retries: l.retries.length,
    lastRetry: last ? { at: last.at, by: last.by, action: last.action, result: last.result, finishedAt: last.finishedAt, error: last.error } : undefined,
  };
}

/** A retry cannot start now (the run is busy, or the jobs are gone). Maps to HTTP 409. */
export class DlqConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DlqConflictError';
  }
}
