/**
 * Copy a job that failed for good into the dead-letter queue with everything
 * needed to understand and replay it: original queue, name, id and data, the
 * error and stack, every attempt's stack, timestamps, run id and pipeline.
 */
import type { Job } from 'bullmq';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { chunkJobId } from '../runs/finalize-step';
import { dlqSettings, nextRetryAt } from './settings';
import { getLetter, letterId, putLetter, withRunLock } from './store';
import type { AttemptRecord, DeadLetter, DeadLetterSource } from './types';

/** What {@link deadLetterJob} did. */
export interface CaptureResult {
  id: string;
  /** False when an existing letter was updated (a retried job failed again). */
  created: boolean;
  letter: DeadLetter;
}

const iso = (ms: number | undefined): string | undefined => (ms ? new Date(ms).toISOString() : undefined);

/** The letter id of a job: one per chunk (by run and index) or per run, whatever the job id of a retry. */
export function letterIdForJob(queue: DeadLetterSource, data: { runId: string; chunkIndex?: number }): string {
  return letterId(queue === QUEUES.clean ? chunkJobId(data.runId, data.chunkIndex ?? 0) : data.runId);
}

function attemptHistory(job: Job): AttemptRecord[] {
  return (job.stacktrace ?? []).filter(Boolean).map((stack, i) => ({ attempt: i + 1, reason: stack.split('\n', 1)[0]!.slice(0, 500), stack }));
}

/**
 * Dead-letter a job that failed for good. Idempotent per unit of work: a
 * second failure (after a retry) updates the same letter, closes its pending
 * retry as failed and schedules the next automatic retry.
 */
export async function deadLetterJob(res: Resources, queue: DeadLetterSource, job: Job, err: Error, now = new Date()): Promise<CaptureResult> {
  const data = (job.data ?? {}) as Record<string, unknown> & { runId: string; pipeline: string; chunkIndex?: number; step?: string };
  const id = letterIdForJob(queue, data);
  const settings = dlqSettings(res.config);
  const runSnapshot = queue === QUEUES.clean && job.parent?.id ? await snapshotRun(res, job.parent.id) : undefined;
  const locked = await withRunLock(res, data.runId, 10_000, async (): Promise<CaptureResult> => {
    const prev = await getLetter(res, id);
    const at = now.toISOString();
    const failures = (prev?.failures ?? 0) + 1;
    const autoRetries = prev?.autoRetries ?? 0;
    const retries = (prev?.retries ?? []).map((r) => (r.result === 'pending' ? { ...r, result: 'failed' as const, finishedAt: at, error: err.message } : r));
    const letter: DeadLetter = {
      id,
      status: 'dead',
      queue,
      jobName: job.name,
      jobId: job.id ?? '',
      originalJobId: prev?.originalJobId ?? job.id ?? '',
      data,
      runId: data.runId,
      pipeline: data.pipeline,
      chunkIndex: queue === QUEUES.clean ? data.chunkIndex : undefined,
      step: queue === QUEUES.clean ? 'clean' : (data.step ?? 'collect'),
      error: { name: err.name, message: err.message, stack: job.stacktrace?.[job.stacktrace.length - 1] ?? err.stack },
      attempts: { made: job.attemptsMade, max: job.opts.attempts ?? 1, history: attemptHistory(job) },
      timestamps: {
        jobCreatedAt: iso(job.timestamp) ?? at,
        processedAt: iso(job.processedOn),
        failedAt: iso(job.finishedOn) ?? at,
        deadLetteredAt: prev?.timestamps.deadLetteredAt ?? at,
        updatedAt: at,
      },
      failures,
      parent: prev?.parent ?? (job.parent?.id ? { id: job.parent.id, queue: job.parent.queueKey } : undefined),
      runSnapshot: prev?.runSnapshot ?? runSnapshot,
      autoRetries,
      nextRetryAt: nextRetryAt(now, autoRetries, settings.baseMs).toISOString(),
      retries,
    };
    await putLetter(res, letter);
    return { id, created: !prev, letter };
  });
  if (!locked.locked) throw new Error(`could not lock the dead letters of run ${data.runId}`);
  return locked.value;
}

async function snapshotRun(res: Resources, runJobId: string): Promise<Record<string, unknown> | undefined> {
  const run = await res.queues.pipeline.getJob(runJobId).catch(() => undefined);
  return run?.data ? (run.data as Record<string, unknown>) : undefined;
}
