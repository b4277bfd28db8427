/**
 * What happens when a job fails for good: the run is marked failed (with the
 * step and error), a failed chunk is recorded so finalize keeps its rows
 * marked failed, the job is copied to the dead-letter queue, notices are
 * raised and the chunk metrics for alert rules are recorded. Retries in
 * between are only logged by the processors.
 */
import type { Job } from 'bullmq';
import type { ChunkJobData, ChunkResult, RunJobData } from '../queues/catalog';
import { QUEUES } from '../queues/names';
import type { Resources } from '../src/context';
import { deadLetterJob, metricsKeyPrefix } from '../src/dlq';
import { recordChunkMetric } from '../src/notify/metrics';
import { notice } from '../src/runs/notices';

/** True when BullMQ will not try the job again. */
export async function isFinalFailure(job: Job): Promise<boolean> {
  return (await job.getState()) === 'failed';
}

/** A run failed because a chunk failed under `on_chunk_failure: fail` (BullMQ's deferred parent failure). */
function isChildFailure(err: Error): boolean {
  return /^child .+ failed$/.test(err.message);
}

function isGateFailure(err: Error): boolean {
  return err.name === 'QualityGateError' || /^quality gate failed/.test(err.message);
}

/** The run error for a chunk that failed for good under `on_chunk_failure: fail`. */
function chunkFailureMessage(job: Job<ChunkJobData>, reason: string): string {
  return `chunk ${job.data.chunkIndex} (job ${job.id}) failed after ${job.attemptsMade} attempts: ${reason}`;
}

/** The chunk message for BullMQ's "child <queue key>:<job id> failed", read from the failed child job. */
async function childFailureMessage(res: Resources, err: Error): Promise<string | undefined> {
  const key = /^child (.+) failed$/.exec(err.message)?.[1] ?? '';
  const child = (await res.queues.clean.getJob(key.slice(key.lastIndexOf(':') + 1)).catch(() => undefined)) as Job<ChunkJobData> | undefined;
  return child?.failedReason ? chunkFailureMessage(child, child.failedReason) : undefined;
}

/** A run job failed: record the final failure, dead-letter it and raise `run_failed` once. */
export async function onRunFailed(res: Resources, job: Job<RunJobData>, err: Error): Promise<void> {
  if (!(await isFinalFailure(job))) return;
  const { runId, pipeline, step } = job.data;
  const status = await res.runs.get(runId);
  const childFailure = isChildFailure(err);
  // Both handlers of a policy-`fail` chunk failure write the same message, whichever runs first.
  const message = (childFailure && (await childFailureMessage(res, err))) || err.message;
  const failedStep = childFailure ? 'clean' : step;
  await res.runs.setState(runId, 'failed', { error: message, errorStep: failedStep });
  res.logger.error('run failed', { runId, pipeline, step: failedStep, jobId: job.id, attempts: job.attemptsMade, error: message });
  if (isGateFailure(err)) return; // the gate raised its own notice; re-running the same data cannot pass it
  let dlqId: string | undefined;
  if (!childFailure) {
    // With policy `fail` the chunk's dead letter is the one to retry (it retries the run too).
    dlqId = await deadLetterJob(res, QUEUES.pipeline, job, err)
      .then((r) => r.id)
      .catch((e: Error) => {
        res.logger.error('could not dead-letter run job', { runId, jobId: job.id, error: e.message });
        return undefined;
      });
  }
  await notice(res, {
    kind: 'run_failed',
    pipeline,
    runId,
    step: failedStep,
    error: { message, stack: job.stacktrace?.at(-1) ?? err.stack },
    kept: status?.outputs.raw ? `raw data kept at ${status.outputs.raw}` : 'nothing was written',
    details: dlqId ? { deadLetter: dlqId } : undefined,
  });
}

/** A chunk job failed: if for good, record it, dead-letter it, apply the failure policy and raise `chunk_dead_lettered`. */
export async function onCleanFailed(res: Resources, job: Job<ChunkJobData>, err: Error): Promise<void> {
  if (!(await isFinalFailure(job))) return;
  const { runId, pipeline, chunkIndex } = job.data;
  await recordSample(res, job, false, job.data.limit);
  await res.runs.markChunkFailed(runId, chunkIndex, err.message);
  res.logger.error('chunk failed for good', { runId, pipeline, chunk: chunkIndex, jobId: job.id, attempts: job.attemptsMade, error: err.message });
  const policy = await res.redis.hget(`${res.keyPrefix}:run:${runId}`, 'onChunkFailure');
  if (policy === 'fail') {
    await res.runs.setState(runId, 'failed', { error: chunkFailureMessage(job, err.message), errorStep: 'clean' });
  }
  const letter = await deadLetterJob(res, QUEUES.clean, job, err).catch((e: Error) => {
    res.logger.error('could not dead-letter chunk job', { runId, jobId: job.id, error: e.message });
    return undefined;
  });
  const status = await res.runs.get(runId);
  await notice(res, {
    kind: 'chunk_dead_lettered',
    pipeline,
    runId,
    step: 'clean',
    chunk: chunkIndex,
    dlqId: letter?.id,
    error: { message: err.message, stack: job.stacktrace?.at(-1) ?? err.stack },
    kept:
      policy === 'fail'
        ? `the run failed; the chunk's ${job.data.limit} rows are kept in the raw file${status?.outputs.raw ? ` ${status.outputs.raw}` : ''}`
        : `the chunk's ${job.data.limit} rows (from row ${job.data.offset}) are kept in the processed file, marked failed`,
    details: { jobId: job.id, attempts: job.attemptsMade },
  });
}

/** A chunk job completed: record its metrics for the alert rules. Wire to the clean worker's `completed` event. */
export async function onCleanCompleted(res: Resources, job: Job<ChunkJobData>, result: ChunkResult): Promise<void> {
  await recordSample(res, job, true, result.rows, result.durationMs);
}

async function recordSample(res: Resources, job: Job, ok: boolean, rows: number, durationMs?: number): Promise<void> {
  const finished = job.finishedOn ?? Date.now();
  const started = job.processedOn ?? finished;
  // Queue wait is only meaningful for a first attempt; later ones waited for their backoff.
  const waitMs = job.attemptsMade <= 1 ? Math.max(0, started - job.timestamp - (job.opts.delay ?? 0)) : 0;
  await recordChunkMetric(res.redis, metricsKeyPrefix(res), { ok, rows, latencyMs: durationMs ?? finished - started, waitMs, at: new Date(finished) }).catch((e: Error) =>
    res.logger.warn('could not record chunk metric', { jobId: job.id, error: e.message }),
  );
}
