/** Queue a new run: validate, record it as queued, add the parent job. */
import { randomBytes } from 'node:crypto';
import { JOBS, type RunJobData, type RunOverrides } from '../../queues/catalog';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { resolvePipeline } from './resolve';

/** What started a run. */
export type RunTrigger = RunJobData['trigger'];

/** Create a run id: `<pipeline>-<YYYYMMDDHHMMSS>-<random>`; no ':' so it can be a job id. */
export function newRunId(pipeline: string, at = new Date()): string {
  const ts = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${pipeline}-${ts}-${randomBytes(3).toString('hex')}`;
}

/** Validate and queue a run. Resolves with its id once the job is in Redis. */
export async function startRun(
  res: Resources,
  req: { pipeline: string; overrides?: RunOverrides; trigger: RunTrigger; runId?: string },
): Promise<{ runId: string }> {
  const { def, task } = await resolvePipeline(res.config.resourcesDir, req.pipeline, req.overrides, { dataDir: res.config.dataDir, env: res.config.env });
  const runId = req.runId ?? newRunId(req.pipeline);
  const now = new Date();
  await res.runs.create({ runId, pipeline: req.pipeline, trigger: req.trigger, task: task.task_name, createdAt: now });
  const data: RunJobData = {
    runId,
    pipeline: req.pipeline,
    trigger: req.trigger,
    overrides: req.overrides,
    requestedAt: now.toISOString(),
    step: 'collect',
    timings: {},
  };
  await res.queues[QUEUES.pipeline].add('run', data, { ...JOBS.pipeline.run.options, jobId: runId, priority: def.priority });
  res.logger.info('run queued', { runId, pipeline: req.pipeline, trigger: req.trigger });
  return { runId };
}
