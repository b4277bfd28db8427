/**
 * Hook a BullMQ worker's `completed`/`failed` events to the cluster-wide
 * metrics: job durations for every queue; run outcomes, rows and run
 * durations for the `pipeline` queue; LLM usage from chunk results of the
 * `clean` queue. Listeners never throw and never delay the worker.
 */
import type { Job, Worker } from 'bullmq';
import { chunkResultSchema } from '../../queues/catalog';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { recordJobDone, recordLlm, recordRows, recordRunOutcome } from './record';

type InstrumentRes = Pick<Resources, 'redis' | 'keyPrefix' | 'logger' | 'runs'>;

function durationMs(job: Job): number {
  const start = job.processedOn ?? job.timestamp;
  return Math.max(0, (job.finishedOn ?? Date.now()) - start);
}

async function runEnded(res: InstrumentRes, runId: string, outcome: 'completed' | 'failed'): Promise<void> {
  const s = await res.runs.get(runId);
  const started = s?.timings.startedAt ? Date.parse(s.timings.startedAt) : NaN;
  await recordRunOutcome(res, outcome, { durationMs: Number.isFinite(started) ? Date.now() - started : undefined });
  if (s) await recordRows(res, { collected: s.counts.rowsCollected, cleaned: s.counts.rowsCleaned, failed: s.counts.rowsFailed });
}

async function onCompleted(res: InstrumentRes, queue: string, job: Job, result: unknown): Promise<void> {
  await recordJobDone(res, { queue, durationMs: durationMs(job), ok: true });
  if (queue === QUEUES.pipeline && typeof job.data?.runId === 'string') {
    await runEnded(res, job.data.runId as string, 'completed');
  } else if (queue === QUEUES.clean) {
    const r = chunkResultSchema.safeParse(result);
    if (r.success) await recordLlm(res, r.data.llm);
  }
}

async function onFailed(res: InstrumentRes, queue: string, job: Job): Promise<void> {
  await recordJobDone(res, { queue, durationMs: durationMs(job), ok: false });
  // A run counts once, when its job fails for good (not on attempts that will be retried).
  if (queue === QUEUES.pipeline && typeof job.data?.runId === 'string' && (await job.getState()) === 'failed') {
    await runEnded(res, job.data.runId as string, 'failed');
  }
}

const instrumented = new WeakSet<Worker>();

/** Record metrics for every job `worker` finishes. Idempotent: a second call for the same worker does nothing. */
export function instrumentWorker(res: InstrumentRes, worker: Worker): void {
  if (instrumented.has(worker)) return;
  instrumented.add(worker);
  const queue = worker.name;
  const guard = (p: Promise<void>) => p.catch((err: Error) => res.logger.warn('metrics: listener failed', { queue, error: err.message }));
  worker.on('completed', (job, result) => void guard(onCompleted(res, queue, job, result)));
  worker.on('failed', (job) => {
    if (job) void guard(onFailed(res, queue, job));
  });
}
