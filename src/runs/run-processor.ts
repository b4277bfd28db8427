/**
 * The processor of `run` jobs on the `pipeline` queue. A run is written as
 * resumable steps whose progress lives in the job's data:
 *
 *   collect → fanout (children on `clean`, then waiting-children) → finalize → done
 *
 * A retry after a crash resumes at the recorded step; finished steps are not redone.
 */
import { type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { JOBS, runJobSchema, type RunJobData } from '../../queues/catalog';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { NonRetryableError } from '../errors';
import { partKey } from '../storage/names';
import type { SidecarMeta } from '../types';
import { collectToRaw } from './collect-step';
import { QualityGateError } from './errors';
import { chunkJobId, mergeParts, type MergeOutcome } from './finalize-step';
import { notice } from './notices';
import { writeRunReport } from './report';
import { reserveRunKeys } from './reserve-keys';
import { resolveRunPipeline, type EffectivePipeline } from './resolve';

type Step = RunJobData['step'];

/** Optional hooks, e.g. an LLM cost estimate before fan-out. */
export interface RunProcessorHooks {
  estimateCost?: (eff: EffectivePipeline, rawKey: string, rows: number) => Promise<number | undefined>;
}

/** Build the `pipeline` queue processor. */
export function createRunProcessor(res: Resources, hooks: RunProcessorHooks = {}) {
  return async function processRun(job: Job<RunJobData>, token?: string): Promise<{ runId: string; state: string }> {
    let st = runJobSchema.parse(job.data);
    const runId = st.runId;
    const log = res.logger.child({ runId, jobId: job.id, queue: QUEUES.pipeline, pipeline: st.pipeline });
    const save = async (patch: Partial<RunJobData>) => {
      st = { ...st, ...patch };
      await job.updateData(st);
    };
    const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      const out = await fn();
      st.timings = { ...st.timings, [`${step}Ms`]: Date.now() - t0 };
      await res.runs.update(runId, { timings: JSON.stringify(st.timings) });
      return out;
    };
    const record = (meta: SidecarMeta) => res.catalog.record(meta).catch((err: Error) => log.warn('catalog record failed', { key: meta.key, error: err.message }));

    let eff: EffectivePipeline;
    try {
      eff = await resolveRunPipeline(res.config.resourcesDir, st, await res.runs.taskSnapshot(runId));
    } catch (err) {
      throw new UnrecoverableError(`pipeline ${st.pipeline}: ${(err as Error).message}`);
    }
    if (!st.keys) {
      await save({ keys: await reserveRunKeys(res.redis, res.keyPrefix, { runId, source: eff.def.source, pipeline: st.pipeline, output: eff.def.output, at: new Date(st.requestedAt) }) });
    }
    const keys = st.keys!;
    log.info('run step', { step: st.step, attempt: job.attemptsMade + 1 });

    try {
      if (st.step === 'collect') {
        await res.runs.setState(runId, 'collecting', { taskDef: JSON.stringify(eff.task), onChunkFailure: eff.def.on_chunk_failure, progress: 0 });
        await job.log(`collect: reading source ${eff.def.source}`);
        const out = await timed('collect', () => collectToRaw(res, job, eff, { runId, rawKey: keys.raw, logger: log }));
        await record(out.meta);
        await res.runs.update(runId, { rowsCollected: out.meta.rows, progress: 10, outputs: JSON.stringify({ raw: out.meta.uri }) });
        await job.log(`collect: ${out.meta.rows} rows → ${out.meta.uri}`);
        if (!out.quality.passed) {
          await failGate(out.quality.checks.filter((c) => !c.passed && c.severity === 'fatal').map((c) => `${c.name}: ${c.message}`), out.quality.score, 'raw', { raw: out.quality }, out.meta);
        }
        await save({ step: 'fanout', raw: { key: out.meta.key, rows: out.meta.rows } });
      }
      if (st.step === 'fanout') {
        const raw = st.raw!;
        const chunks = Math.ceil(raw.rows / eff.def.chunk_size);
        await res.runs.setState(runId, 'cleaning', { chunks, progress: 10 });
        if (hooks.estimateCost) {
          const est = await hooks.estimateCost(eff, raw.key, raw.rows).catch(() => undefined);
          if (est !== undefined) await res.runs.update(runId, { estimatedCostUsd: est });
        }
        // The run's own finalize is queued again when its chunks are done; by size too, so a
        // small run's finalize is not queued behind a large one's.
        if (eff.def.priority === undefined) await job.changePriority({ priority: sizePriority(raw.rows) });
        await addChunkJobs(res, job, eff, raw, chunks);
        await job.log(`fanout: ${chunks} chunks of up to ${eff.def.chunk_size} rows`);
        await save({ step: 'finalize', chunks, chunkSize: eff.def.chunk_size });
      }
      if (st.step === 'finalize') {
        // Also guards a crash between fan-out and waiting: never finalize while children run.
        if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
        await res.runs.setState(runId, 'finalizing', { progress: 90 });
        await finalize();
        await save({ step: 'done' });
      }
      return { runId, state: 'completed' };
    } catch (err) {
      if (err instanceof WaitingChildrenError) throw err;
      if (err instanceof NonRetryableError) throw new UnrecoverableError(err.message);
      const attempt = job.attemptsMade + 1;
      log.warn('run step failed', { step: st.step, attempt: `${attempt} of ${job.opts.attempts ?? 1}`, error: (err as Error).message });
      if (st.step === 'collect' && attempt >= 2) {
        // A source that keeps failing gets a notice before the run gives up (grouped and throttled).
        await notice(res, {
          kind: 'collector_failing',
          pipeline: st.pipeline,
          runId,
          step: 'collect',
          source: eff.def.source,
          failures: attempt,
          error: { message: (err as Error).message, stack: (err as Error).stack },
          kept: 'nothing is written until collection succeeds; the run retries with backoff',
        });
      }
      throw err;
    }

    async function finalize(): Promise<void> {
      const raw = st.raw!;
      const chunks = st.chunks ?? 0;
      const input = { runId, rawKey: raw.key, rows: raw.rows, chunks, chunkSize: eff.def.chunk_size, processedKey: keys.processed, outputKey: keys.output, logger: log };
      const merged = await timed('merge', () => mergeParts(res, job, eff, input));
      const csv = await gateAndPublish(merged, raw.key);
      await record(csv);
      const outputs = { raw: res.store.uri(raw.key), processed: merged.processed.uri, csv: csv.uri, report: res.store.uri(`reports/${runId}.json`) };
      await res.runs.update(runId, { duplicatesRemoved: merged.duplicatesRemoved, rowsOutput: csv.rows, outputs: JSON.stringify(outputs) });
      const report = await writeRunReport(res, {
        runId,
        pipeline: st.pipeline,
        task: eff.task.task_name,
        source: eff.def.source,
        state: 'completed',
        stages: { processed: merged.quality },
        counts: { rowsCollected: raw.rows, rowsCleaned: merged.rowsCleaned, rowsFailed: merged.rowsFailed, chunks, chunksFailed: merged.failedChunks.length, duplicatesRemoved: merged.duplicatesRemoved, rowsOutput: csv.rows },
        timings: st.timings,
        outputs,
        inputs: [raw.key, merged.processed.key, csv.key],
        jobIds: job.id ? [job.id] : [],
      });
      await record(report);
      await res.runs.setState(runId, 'completed');
      await job.log(`done: ${csv.rows} rows → ${csv.uri}`);
      log.info('run completed', { rows: raw.rows, failed: merged.rowsFailed, durationMs: Object.values(st.timings).reduce((a, b) => a + b, 0) });
    }

    /** Record the merge, run the processed gate, and publish the pending CSV only if it passes. */
    async function gateAndPublish(merged: MergeOutcome, rawKey: string): Promise<SidecarMeta> {
      try {
        await record(merged.processed);
        await res.runs.update(runId, {
          final_rowsCleaned: merged.rowsCleaned,
          final_rowsFailed: merged.rowsFailed,
          qualityScore: merged.quality.score,
          qualityPassed: merged.quality.passed ? 1 : 0,
          outputs: JSON.stringify({ raw: res.store.uri(rawKey), processed: merged.processed.uri }),
        });
        await job.log(`finalize: merged ${merged.processed.rows} rows (${merged.rowsFailed} failed) → ${merged.processed.uri}`);
        if (merged.failedChunks.length) {
          await job.log(`finalize: ${merged.failedChunks.length} chunk(s) failed; their rows are kept and marked failed`);
        }
        if (!merged.quality.passed) {
          // The pending CSV is dropped: nothing reaches output/ when the gate fails.
          await merged.csv.abort();
          const failed = merged.quality.checks.filter((c) => !c.passed && c.severity === 'fatal').map((c) => `${c.name}: ${c.message}`);
          await failGate(failed, merged.quality.score, 'processed', { processed: merged.quality }, merged.processed);
        }
        return await timed('csv', () => merged.csv.finish());
      } catch (err) {
        // Whatever fails before the CSV is published, its pending file is dropped.
        await merged.csv.abort().catch(() => undefined);
        throw err;
      }
    }

    async function failGate(failed: string[], score: number, stage: 'raw' | 'processed', stages: Parameters<typeof writeRunReport>[1]['stages'], input: SidecarMeta): Promise<never> {
      const err = new QualityGateError(stage, failed, score);
      const report = await writeRunReport(res, {
        runId,
        pipeline: st.pipeline,
        task: eff.task.task_name,
        source: eff.def.source,
        state: 'failed',
        error: err.message,
        stages,
        counts: { rowsCollected: st.raw?.rows ?? input.rows },
        timings: st.timings,
        outputs: { [stage === 'raw' ? 'raw' : 'processed']: input.uri },
        inputs: [input.key],
        jobIds: job.id ? [job.id] : [],
      });
      await record(report);
      const status = await res.runs.get(runId);
      await res.runs.update(runId, { outputs: JSON.stringify({ ...status?.outputs, report: report.uri }) });
      await notice(res, {
        kind: 'quality_gate_failed',
        pipeline: st.pipeline,
        runId,
        step: stage === 'raw' ? 'collect' : 'finalize',
        error: { message: err.message },
        kept: `${stage} file kept for inspection at ${input.uri}; nothing was written to output/`,
        details: { failedChecks: failed, score },
      });
      throw err;
    }
  };
}

/**
 * Add the chunk jobs of a run as children of its job, with deterministic ids
 * (adding one that exists is a no-op). `only` limits it to some chunk indexes,
 * e.g. the watchdog re-adding lost ones.
 */
export async function addChunkJobs(res: Resources, job: Job, eff: EffectivePipeline, raw: { key: string; rows: number }, chunks: number, only?: readonly number[]): Promise<void> {
  const runId = (job.data as RunJobData).runId;
  const failurePolicy = eff.def.on_chunk_failure === 'fail' ? { failParentOnFailure: true } : { ignoreDependencyOnFailure: true };
  const indexes = only ?? Array.from({ length: chunks }, (_, i) => i);
  const BATCH = 500;
  for (let start = 0; start < indexes.length; start += BATCH) {
    const batch = [];
    for (const i of indexes.slice(start, start + BATCH)) {
      const offset = i * eff.def.chunk_size;
      batch.push({
        name: 'chunk',
        data: { runId, pipeline: eff.def.name, chunkIndex: i, rawKey: raw.key, offset, limit: Math.min(eff.def.chunk_size, raw.rows - offset), task: eff.task.task_name, partKey: partKey(runId, i) },
        opts: {
          ...JOBS.clean.chunk.options,
          ...failurePolicy,
          jobId: chunkJobId(runId, i),
          priority: eff.def.priority ?? sizePriority(raw.rows),
          parent: { id: job.id!, queue: job.queueQualifiedName },
        },
      });
    }
    await res.queues[QUEUES.clean].addBulk(batch);
  }
}

/**
 * Chunk priority from the run's size when the pipeline sets none (1 is highest):
 * 1 up to 1,000 rows, one step lower per doubling, 11 at 1M rows. Small runs'
 * chunks are taken first, so a small run never waits behind a large one.
 */
export function sizePriority(rows: number): number {
  return 1 + Math.max(0, Math.ceil(Math.log2(Math.max(1, rows) / 1000)));
}

/** The step a run job was at, for logs and status. */
export function stepOf(job: Job): Step {
  return runJobSchema.safeParse(job.data).data?.step ?? 'collect';
}
