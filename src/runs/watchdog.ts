/**
 * Watchdog for runs that can no longer make progress on their own:
 *
 * - a run job in `waiting-children` none of whose unprocessed children is
 *   alive (waiting, active, delayed, prioritized): lost chunk jobs are re-added
 *   under their deterministic ids (idempotent: a chunk re-run overwrites its
 *   own part), finished children still counted as pending are detached so the
 *   parent moves on; a parent with no pending child left cannot be moved and
 *   the run is failed;
 * - a run in state cleaning or finalizing whose run job is missing, or failed
 *   without the run being marked failed: the run is failed.
 *
 * Failing a run sets its state and raises a `run_failed` notice.
 */
import type { Job } from 'bullmq';
import type { RunJobData } from '../../queues/catalog';
import type { Resources } from '../context';
import { chunkIndexFromKey } from './finalize-step';
import { notice } from './notices';
import { resolveRunPipeline } from './resolve';
import { addChunkJobs } from './run-processor';

/** What the watchdog did to one run. */
export interface WatchdogAction {
  runId: string;
  action: 're-added' | 'detached' | 'failed';
  detail: string;
}

/** Options of {@link runWatchdog}. */
export interface WatchdogOptions {
  /** Only runs created within this window are checked. Default 7 days. */
  lookbackMs?: number;
}

const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Check every recent run in cleaning/finalizing and repair or fail the stuck ones. */
export async function runWatchdog(res: Resources, opts: WatchdogOptions = {}): Promise<WatchdogAction[]> {
  const now = Date.now();
  const ids = await res.runs.idsBetween(new Date(now - (opts.lookbackMs ?? 7 * 86_400_000)), new Date(now + 60_000));
  const actions: WatchdogAction[] = [];
  for (const runId of ids) {
    const status = await res.runs.get(runId);
    if (!status || (status.state !== 'cleaning' && status.state !== 'finalizing')) continue;
    try {
      actions.push(...(await checkRun(res, runId)));
    } catch (err) {
      res.logger.warn('watchdog could not check run', { runId, error: (err as Error).message });
    }
  }
  for (const a of actions) res.logger.warn('watchdog acted on a stuck run', { ...a });
  return actions;
}

async function checkRun(res: Resources, runId: string): Promise<WatchdogAction[]> {
  const job = (await res.queues.pipeline.getJob(runId)) as Job<RunJobData> | undefined;
  if (!job) return [await failRun(res, runId, undefined, 'its run job is missing from the pipeline queue')];
  const state = await job.getState();
  if (state === 'failed') return [await failRun(res, runId, job, `its run job failed: ${job.failedReason ?? 'unknown reason'}`)];
  if (state !== 'waiting-children') return [];

  const deps = await job.getDependencies();
  const pending = deps.unprocessed ?? [];
  if (!pending.length) {
    // Nothing left to wait for, yet the parent was not moved on: BullMQ offers no way to move it.
    return [await failRun(res, runId, job, 'its run job waits for children but none is pending')];
  }
  const missing: number[] = [];
  const finished: Job[] = [];
  for (const key of pending) {
    const idx = chunkIndexFromKey(key);
    const childId = key.slice(key.lastIndexOf(':') + 1);
    const child = await res.queues.clean.getJob(childId);
    const childState = child ? await child.getState() : 'unknown';
    if (ALIVE.has(childState)) return [];
    if (!child || childState === 'unknown') {
      if (idx === null) return [await failRun(res, runId, job, `child ${key} is missing and is not a chunk job`)];
      missing.push(idx);
    } else {
      finished.push(child);
    }
  }
  const actions: WatchdogAction[] = [];
  if (missing.length) {
    const d = job.data;
    const eff = await resolveRunPipeline(res.config.resourcesDir, d, await res.runs.taskSnapshot(runId));
    if (!d.raw || d.chunks === undefined) return [await failRun(res, runId, job, 'its run job has no record of the raw file or chunk count')];
    missing.sort((x, y) => x - y);
    await addChunkJobs(res, job, eff, d.raw, d.chunks, missing);
    actions.push({ runId, action: 're-added', detail: `chunk jobs ${missing.join(', ')}` });
  }
  for (const child of finished) {
    // A child that finished but is still counted as pending would block the parent forever.
    await child.removeChildDependency();
    actions.push({ runId, action: 'detached', detail: `finished child ${child.id}` });
  }
  return actions;
}

async function failRun(res: Resources, runId: string, job: Job<RunJobData> | undefined, why: string): Promise<WatchdogAction> {
  const status = await res.runs.get(runId);
  const message = `run stuck in ${status?.state ?? 'unknown state'}: ${why}`;
  await res.runs.setState(runId, 'failed', { error: message, errorStep: status?.state === 'finalizing' ? 'finalize' : 'clean' });
  await notice(res, {
    kind: 'run_failed',
    pipeline: status?.pipeline ?? job?.data.pipeline,
    runId,
    step: 'watchdog',
    error: { message },
    kept: status?.outputs.raw ? `raw data kept at ${status.outputs.raw}` : 'nothing was written',
  });
  return { runId, action: 'failed', detail: message };
}
