/**
 * Re-finalize a completed run after one of its chunks is cleaned again: a
 * flow whose parent is a `refinalize` job on the `pipeline` queue (the run
 * processor, resuming at its `finalize` step) and whose child is a fresh
 * chunk job with the dead chunk's data, writing the same part key.
 *
 * The parent only runs once the chunk has finished, then rewrites the
 * processed file, the CSV and the report of the same run with the rows now
 * cleaned; the run goes `cleaning` → `finalizing` → `completed`.
 */
import { FlowProducer } from 'bullmq';
import { JOBS, runJobSchema, type ChunkJobData, type RunJobData } from '../../queues/catalog';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { chunkJobId } from '../runs/finalize-step';
import type { JobRef } from './types';

/** Start a re-finalize flow for one chunk of a completed run. `n` makes the job ids unique per retry. */
export async function startRefinalize(res: Resources, runData: unknown, chunk: ChunkJobData, n: number): Promise<JobRef[]> {
  const run = runJobSchema.parse(runData);
  const tag = `${Date.now().toString(36)}${n}`;
  const parentId = `${run.runId}-refinalize-${tag}`;
  // Ends in -c<index> so finalize maps an ignored failure of it back to its chunk.
  const childId = `${run.runId}-r${tag}-${chunkJobId(run.runId, chunk.chunkIndex).slice(run.runId.length + 1)}`;
  const policy = (await res.redis.hget(`${res.keyPrefix}:run:${run.runId}`, 'onChunkFailure')) === 'fail' ? { failParentOnFailure: true } : { ignoreDependencyOnFailure: true };
  const data: RunJobData = { ...run, trigger: 'dlq', step: 'finalize' };
  const flow = new FlowProducer({ connection: res.redis, prefix: res.config.queuePrefix });
  try {
    await flow.add({
      name: 'refinalize',
      queueName: QUEUES.pipeline,
      data,
      opts: { ...JOBS.pipeline.run.options, jobId: parentId },
      children: [{ name: 'chunk', queueName: QUEUES.clean, data: chunk, opts: { ...JOBS.clean.chunk.options, ...policy, jobId: childId } }],
    });
  } finally {
    await flow.close();
  }
  return [
    { queue: QUEUES.clean, id: childId },
    { queue: QUEUES.pipeline, id: parentId },
  ];
}
