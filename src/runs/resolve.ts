/**
 * Resolve what a run will do: the pipeline definition from pipelines.yaml with
 * the request's overrides merged in, validated against the collector's schema
 * and the task file. Errors name the field that is wrong.
 */
import { getCollector, parseCollectorOptions } from '../collectors/registry';
import { ValidationError } from '../errors';
import { getPipeline } from '../resources/pipelines';
import type { PipelineDef, TaskDef } from '../resources/schemas';
import { loadTask } from '../resources/tasks';
import type { RunOverrides } from '../../queues/catalog';

/** A pipeline definition as one run uses it. */
export interface EffectivePipeline {
  def: PipelineDef;
  task: TaskDef;
  options: unknown;
}

/** Load and validate everything a run needs before it is queued. */
export async function resolvePipeline(
  resourcesDir: string,
  name: string,
  overrides: RunOverrides = {},
  preflight?: { dataDir: string; env: Readonly<Record<string, string | undefined>> },
): Promise<EffectivePipeline> {
  const base = await getPipeline(resourcesDir, name);
  const def: PipelineDef = {
    ...base,
    options: { ...base.options, ...(overrides.options ?? {}) },
    chunk_size: overrides.chunk_size ?? base.chunk_size,
    task: overrides.task ?? base.task,
  };
  const collector = getCollector(def.source);
  const options = parseCollectorOptions(def.source, def.options, { field: overrides.options ? 'overrides.options' : `pipelines.${name}.options` });
  if (!def.options || typeof def.options !== 'object') throw new ValidationError('must be an object', { field: 'options' });
  if (preflight && collector.preflight) await collector.preflight(options, preflight);
  const task = await loadTask(resourcesDir, def.task);
  return { def, task, options };
}

/**
 * The pipeline as an in-flight run must see it: pipelines.yaml may have been
 * edited since the run started, so the chunk size chosen at fan-out and the
 * task snapshot taken at collect win over the files.
 */
export async function resolveRunPipeline(
  resourcesDir: string,
  run: { pipeline: string; overrides?: RunOverrides; chunkSize?: number },
  taskSnapshot?: TaskDef,
): Promise<EffectivePipeline> {
  const eff = await resolvePipeline(resourcesDir, run.pipeline, run.overrides);
  return {
    ...eff,
    def: run.chunkSize === undefined ? eff.def : { ...eff.def, chunk_size: run.chunkSize },
    task: taskSnapshot ?? eff.task,
  };
}
