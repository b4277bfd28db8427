/**
 * What happens when a job fails for good: the run is marked failed (with the
 * step and error), a failed chunk is recorded so finalize keeps its rows
 * marked failed, and notices are raised. Retries in between are only logged.
 */
import type { Job } from 'bullmq';
import type { ChunkJobData, RunJobData } from '../queues/catalog';
import type { Resources } from '../src/context';
import { notice } from '../src/runs/notices';

/** True when BullMQ will not try the job again. */
export async function isFinalFailure(job: Job): Promise<boolean> {
  return (await job.getState()) === 'failed';
}

/** A run job failed: record the final failure on the run. */
export async function onRunFailed(res: Resources, job: Job<RunJobData>, err: Error): Promise<void> {
  if (!(await isFinalFailure(job))) return;
  const { runId, pipeline, step } = job.data;
  const status = await res.runs.get(runId);
  if (status?.state === 'failed') return;
  await res.runs.setState(runId, 'failed', { error: err.message, errorStep: step });
  res.logger.error('run failed', { runId, pipeline, step, attempts: job.attemptsMade, error: err.message });
  if (err.name !== 'QualityGateError' && !/^quality gate failed/.test(err.message)) {
    await notice(res, {
      kind: 'run_failed',
      pipeline,
      runId,
      step,
      error: { message: err.message, stack: err.stack },
      kept: status?.outputs.raw ? `raw data kept at ${status.outputs.raw}` : 'nothing was written',
    } as Parameters<typeof notice>[1]);
  }
}

/** A chunk job failed: if for good, record it and apply the pipeline's failure policy. */
export async function onCleanFailed(res: Resources, job: Job<ChunkJobData>, err: Error): Promise<void> {
  if (!(await isFinalFailure(job))) return;
  const { runId, pipeline, chunkIndex } = job.data;
  await res.runs.markChunkFailed(runId, chunkIndex);
  res.logger.error('chunk failed for good', { runId, pipeline, chunk: chunkIndex, jobId: job.id, attempts: job.attemptsMade, error: err.message });
  const policy = await res.redis.hget(`${res.keyPrefix}:run:${runId}`, 'onChunkFailure');
  if (policy === 'fail') {
    await res.runs.setState(runId, 'failed', { error: `chunk ${chunkIndex} (job ${job.id}) failed after ${job.attemptsMade} attempts: ${err.message}`, errorStep: 'clean' });
  }
}
