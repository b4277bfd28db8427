/**
 * Retry a dead letter: put the work back where it came from.
 *
 * - Chunk of a run still waiting for its chunks: retry the chunk job in place.
 * - Chunk of a failed run (policy `fail`, or the run failed later): retry the
 *   chunk job, then the run job, which resumes at `finalize` and waits for it.
 * - Chunk of a completed run (policy `mark`, rows kept as failed): a
 *   `refinalize` flow re-runs the chunk and the finalize step (./refinalize.ts).
 * - Run job (collect / finalize failed): retry it in place; it resumes from
 *   its recorded step.
 *
 * The outcome is known later: {@link reconcileLetter} settles pending retries
 * from the states of the jobs they wait for; a failure handler settles them
 * at once when the job fails again (./capture.ts).
 */
import type { Job } from 'bullmq';
import { chunkJobSchema, runJobSchema } from '../../queues/catalog';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { NotFoundError } from '../errors';
import type { RunState } from '../runs/run-store';
import { startRefinalize } from './refinalize';
import { dlqSettings, nextRetryAt } from './settings';
import { getLetter, putLetter, withRunLock } from './store';
import { DlqConflictError, type DeadLetter, type JobRef, type RetryAction, type RetryEntry } from './types';

const RESET = { resetAttemptsMade: true, resetAttemptsStarted: true } as const;

/** Result of {@link retryLetter}. */
export interface RetryOutcome {
  letter: DeadLetter;
  retry: RetryEntry;
}

/**
 * Retry a dead letter now. `by` says who asked (kept in the history).
 * @throws NotFoundError for an unknown id; DlqConflictError when the run is busy or the jobs are gone.
 */
export async function retryLetter(res: Resources, id: string, by: string, opts: { automatic?: boolean } = {}): Promise<RetryOutcome> {
  const first = await getLetter(res, id);
  if (!first) throw new NotFoundError(`no dead letter "${id}"`);
  const locked = await withRunLock(res, first.runId, 2000, async () => {
    let letter = await getLetter(res, id);
    if (!letter) throw new NotFoundError(`no dead letter "${id}"`);
    letter = await settle(res, letter);
    if (letter.status === 'retrying') throw new DlqConflictError(`dead letter ${id} is already being retried (since ${letter.retries.at(-1)?.at})`);
    if (letter.status === 'resolved') throw new DlqConflictError(`dead letter ${id} was already retried successfully at ${letter.resolvedAt}`);
    const now = new Date();
    const at = now.toISOString();
    // An automatic retry is counted before the job can fail again, so that failure already backs off further.
    const autoRetries = letter.autoRetries + (opts.automatic ? 1 : 0);
    let planned: { action: RetryAction; jobs: JobRef[] };
    try {
      planned = letter.queue === QUEUES.clean ? await retryChunk(res, letter) : await retryRun(res, letter);
    } catch (err) {
      if (err instanceof DlqConflictError) throw err;
      const retry: RetryEntry = { at, by, jobs: [], result: 'failed', finishedAt: new Date().toISOString(), error: (err as Error).message };
      const next = nextRetryAt(now, autoRetries, dlqSettings(res.config).baseMs).toISOString();
      await putLetter(res, { ...letter, autoRetries, nextRetryAt: next, retries: [...letter.retries, retry], timestamps: { ...letter.timestamps, updatedAt: at } });
      throw err;
    }
    const retry: RetryEntry = { at, by, action: planned.action, jobs: planned.jobs, result: 'pending' };
    const next: DeadLetter = { ...letter, status: 'retrying', autoRetries, nextRetryAt: undefined, retries: [...letter.retries, retry], timestamps: { ...letter.timestamps, updatedAt: at } };
    await putLetter(res, next);
    res.logger.info('dead letter retried', { dlqId: id, runId: letter.runId, action: planned.action, by });
    return { letter: next, retry };
  });
  if (!locked.locked) throw new DlqConflictError(`the dead letters of run ${first.runId} are being changed; try again`);
  return locked.value;
}

async function jobAndState(res: Resources, queue: 'clean' | 'pipeline', id: string): Promise<{ job?: Job; state: string }> {
  const job = await res.queues[queue].getJob(id);
  return { job, state: job ? await job.getState() : 'missing' };
}

async function reopenRun(res: Resources, runId: string, state: RunState): Promise<void> {
  await res.runs.update(runId, { error: '', errorStep: '' });
  await res.runs.setState(runId, state);
}

async function retryChunk(res: Resources, letter: DeadLetter): Promise<{ action: RetryAction; jobs: JobRef[] }> {
  const d = chunkJobSchema.parse(letter.data);
  const chunk = await jobAndState(res, QUEUES.clean, letter.originalJobId);
  const run = await jobAndState(res, QUEUES.pipeline, d.runId);
  const status = await res.runs.get(d.runId);
  const inPlace = chunk.job && chunk.state === 'failed' && chunk.job.parent?.id === d.runId;
  if (inPlace && run.state === 'waiting-children') {
    await res.runs.clearChunkFailed(d.runId, d.chunkIndex);
    await chunk.job!.retry('failed', RESET);
    return { action: 'retry-chunk', jobs: [{ queue: QUEUES.clean, id: chunk.job!.id! }, { queue: QUEUES.pipeline, id: d.runId }] };
  }
  if (inPlace && run.state === 'failed') {
    // Chunk first: it goes back into the run's dependencies, so the run waits for it.
    await res.runs.clearChunkFailed(d.runId, d.chunkIndex);
    await chunk.job!.retry('failed', RESET);
    await reopenRun(res, d.runId, 'cleaning');
    await run.job!.retry('failed', RESET);
    return { action: 'retry-chunk-and-run', jobs: [{ queue: QUEUES.clean, id: chunk.job!.id! }, { queue: QUEUES.pipeline, id: d.runId }] };
  }
  if (status?.state === 'completed' && (run.state === 'completed' || run.state === 'missing')) {
    const runData = run.job?.data ?? letter.runSnapshot;
    if (!runJobSchema.safeParse(runData).success) throw new DlqConflictError(`run ${d.runId} has no job data left to re-finalize from`);
    await res.runs.clearChunkFailed(d.runId, d.chunkIndex);
    await reopenRun(res, d.runId, 'cleaning');
    const jobs = await startRefinalize(res, runData, d, letter.retries.length + 1);
    return { action: 'refinalize', jobs };
  }
  throw new DlqConflictError(`run ${d.runId} is ${status?.state ?? 'unknown'} (run job ${run.state}, chunk job ${chunk.state}); retry once the run has finished`);
}

async function retryRun(res: Resources, letter: DeadLetter): Promise<{ action: RetryAction; jobs: JobRef[] }> {
  const run = await jobAndState(res, QUEUES.pipeline, letter.jobId);
  if (!run.job) throw new DlqConflictError(`run job ${letter.jobId} no longer exists; start a new run of ${letter.pipeline}`);
  if (run.state !== 'failed') throw new DlqConflictError(`run job ${letter.jobId} is ${run.state}, not failed`);
  const step = runJobSchema.safeParse(run.job.data).data?.step ?? 'collect';
  await reopenRun(res, letter.runId, step === 'collect' ? 'queued' : step === 'finalize' ? 'finalizing' : 'cleaning');
  await run.job.retry('failed', RESET);
  return { action: 'retry-run', jobs: [{ queue: QUEUES.pipeline, id: run.job.id! }] };
}

/** Settle a letter's pending retry from its jobs' states (no lock; callers hold it). */
async function settle(res: Resources, letter: DeadLetter): Promise<DeadLetter> {
  const last = letter.retries.at(-1);
  if (letter.status !== 'retrying' || !last || last.result !== 'pending') return letter;
  const states = await Promise.all(last.jobs.map(async (j) => ({ ...j, ...(await jobAndState(res, j.queue, j.id)) })));
  const failed = states.find((s) => s.state === 'failed' || s.state === 'missing');
  const done = states.every((s) => s.state === 'completed');
  if (!failed && !done) return letter;
  const now = new Date();
  const at = now.toISOString();
  const entry: RetryEntry = failed
    ? { ...last, result: 'failed', finishedAt: at, error: failed.job?.failedReason ?? `${failed.queue} job ${failed.id} no longer exists` }
    : { ...last, result: 'succeeded', finishedAt: at };
  const next: DeadLetter = {
    ...letter,
    status: failed ? 'dead' : 'resolved',
    retries: [...letter.retries.slice(0, -1), entry],
    resolvedAt: failed ? undefined : at,
    nextRetryAt: failed ? nextRetryAt(now, letter.autoRetries, dlqSettings(res.config).baseMs).toISOString() : undefined,
    timestamps: { ...letter.timestamps, updatedAt: at },
  };
  await putLetter(res, next);
  return next;
}

/** Settle a letter's pending retry if its jobs have finished. Skips (returns it as is) while another change holds the lock. */
export async function reconcileLetter(res: Resources, letter: DeadLetter): Promise<DeadLetter> {
  if (letter.status !== 'retrying') return letter;
  const r = await withRunLock(res, letter.runId, 0, async () => {
    const fresh = await getLetter(res, letter.id);
    return fresh ? settle(res, fresh) : letter;
  });
  return r.locked ? r.value : letter;
}
