/** Processor of `chunk` jobs on the `clean` queue. */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { chunkJobSchema, type ChunkJobData, type ChunkResult } from '../queues/catalog';
import { QUEUES } from '../queues/names';
import { createCleaner } from '../src/cleaning/cleaner';
import { BudgetExceededError, createLlmCleaner, loadPrices } from '../src/cleaning/llm';
import type { Resources } from '../src/context';
import { NonRetryableError } from '../src/errors';
import type { TaskDef } from '../src/resources/schemas';
import { cleanChunk } from '../src/runs/clean-chunk';
import { recordLlmEvent } from '../src/metrics';
import type { LlmEvent } from '../src/cleaning/llm/types';
import { notice } from '../src/runs/notices';

/**
 * How long a chunk is parked once the daily LLM budget is reached. The queue is
 * paused, so a promoted chunk only waits in the paused list; a short delay means
 * it runs as soon as an operator resumes the queue.
 */
const BUDGET_RETRY_MS = 1000;

async function taskOf(res: Resources, runId: string): Promise<TaskDef> {
  const task = await res.runs.taskSnapshot(runId);
  if (!task) throw new NonRetryableError(`run ${runId} has no task snapshot (was the run deleted?)`);
  return task;
}

/** Build the `clean` queue processor. */
export function createCleanProcessor(res: Resources) {
  return async function processChunk(job: Job<ChunkJobData>, token?: string): Promise<ChunkResult> {
    const d = chunkJobSchema.parse(job.data);
    const log = res.logger.child({ runId: d.runId, jobId: job.id, queue: QUEUES.clean, pipeline: d.pipeline, chunk: d.chunkIndex });
    const task = await taskOf(res, d.runId);
    const prices = task.engine === 'llm' ? await loadPrices(res.config.resourcesDir) : undefined;
    const llmDeps = {
      redis: res.redis,
      keyPrefix: `${res.keyPrefix}:llm`,
      logger: log,
      llm: res.config.llm,
      prices: prices!,
      onEvent: (e: LlmEvent) => {
        // Rate-limit waits and breaker openings are counted for /metrics.
        void recordLlmEvent(res, e);
        if (e.type === 'breaker_opened') void notice(res, { kind: 'breaker_opened', pipeline: d.pipeline, runId: d.runId, step: 'clean', details: e });
        if (e.type === 'breaker_opened' || e.type === 'breaker_closed') {
          const breaker = `${String(e.model)}: ${e.type === 'breaker_opened' ? 'open' : 'closed'}`;
          void res.runs.update(d.runId, { breaker }).catch((err: Error) => log.warn('run status update failed', { error: err.message }));
        }
      },
    };
    try {
      return await cleanChunk(res, job, task, (t, ctx) => createCleaner(t, (tt) => createLlmCleaner(tt, llmDeps, ctx)));
    } catch (err) {
      if (err instanceof BudgetExceededError) {
        // The run waits, it does not fail: pause the queue cluster-wide and park this chunk.
        await res.queues.clean.pause();
        log.warn('daily LLM budget reached; clean queue paused', { spentUsd: err.spentUsd, budgetUsd: err.budgetUsd });
        await notice(res, {
          kind: 'budget_reached',
          pipeline: d.pipeline,
          runId: d.runId,
          step: 'clean',
          error: { message: err.message },
          kept: 'the clean queue is paused; queued chunks wait and nothing is lost',
          details: { spentUsd: err.spentUsd, budgetUsd: err.budgetUsd },
        });
        await job.moveToDelayed(Date.now() + BUDGET_RETRY_MS, token);
        throw new DelayedError();
      }
      if (err instanceof NonRetryableError) throw new UnrecoverableError(err.message);
      log.warn('chunk failed', { attempt: `${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}`, error: (err as Error).message });
      throw err;
    }
  };
}
