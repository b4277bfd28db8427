/**
 * Processor of the `maintenance` queue: `schedule` jobs fired by pipeline
 * schedulers start runs; housekeeping tasks are registered by name.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import { scheduleJobSchema } from '../queues/catalog';
import type { Resources } from '../src/context';
import { notice } from '../src/runs/notices';
import { startRun } from '../src/runs/start-run';

/** A housekeeping task run by name on the maintenance queue. */
export type HousekeepingTask = (res: Resources, job: Job) => Promise<unknown>;


/** Build the maintenance processor with the given housekeeping tasks. */
export function createMaintenanceProcessor(res: Resources, tasks: Readonly<Record<string, HousekeepingTask>> = {}) {
  return async function processMaintenance(job: Job): Promise<unknown> {
    if (job.name === 'schedule') {
      const { pipeline } = scheduleJobSchema.parse(job.data);
      try {
        const { runId } = await startRun(res, { pipeline, trigger: 'schedule' });
        await job.log(`started run ${runId}`);
        return { runId };
      } catch (err) {
        await notice(res, {
          kind: 'schedule_missed',
          pipeline,
          step: 'schedule',
          error: { message: (err as Error).message },
          kept: 'no run was started for this tick',
        });
        throw new UnrecoverableError(`scheduled run of ${pipeline} could not start: ${(err as Error).message}`);
      }
    }
    const name = typeof job.data?.task === 'string' ? (job.data.task as string) : job.name;
    const task = tasks[name];
    if (!task) throw new UnrecoverableError(`unknown maintenance task "${name}"`);
    return task(res, job);
  };
}
