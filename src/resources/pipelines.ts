/**
 * `resources/pipelines.yaml`: read and validated fresh on every call. Beyond
 * the schema (including cron and time zone), each pipeline's task file must
 * exist and be valid. Collector options are checked by the collector registry.
 */
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '../errors';
import { zodToValidationError } from './issues';
import { pipelinesFileSchema, type PipelineDef } from './schemas';
import { loadTask } from './tasks';
import { displayPath, readYamlFile } from './yaml';

/** Options of {@link loadPipelines}. */
export interface LoadPipelinesOptions {
  /** Also load every referenced task file and fail on a missing or invalid one. Default true. */
  checkTasks?: boolean;
}

/** Path of the pipelines file. */
export function pipelinesFile(resourcesDir: string): string {
  return path.join(resourcesDir, 'pipelines.yaml');
}

/**
 * Load every pipeline, keyed by name (each value also carries its `name`).
 * @throws NotFoundError when pipelines.yaml does not exist.
 * @throws ValidationError naming `pipelines.yaml` and the field, e.g. `pipelines.sample_daily.chunk_size`.
 */
export async function loadPipelines(resourcesDir: string, options: LoadPipelinesOptions = {}): Promise<Record<string, PipelineDef>> {
  const file = pipelinesFile(resourcesDir);
  const shown = displayPath(file);
  let raw: unknown;
  try {
    raw = await readYamlFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no pipelines file (${shown})`);
    throw err;
  }
  if (raw === null) throw new ValidationError('file is empty; expected a "pipelines:" map', { file: shown });
  const parsed = pipelinesFileSchema.safeParse(raw);
  if (!parsed.success) throw zodToValidationError(parsed.error, shown);

  const out: Record<string, PipelineDef> = {};
  for (const [name, def] of Object.entries(parsed.data.pipelines)) out[name] = { ...def, name };
  if (options.checkTasks ?? true) await checkTasks(resourcesDir, out, shown);
  return out;
}

async function checkTasks(resourcesDir: string, pipelines: Record<string, PipelineDef>, shown: string): Promise<void> {
  const tasks = [...new Set(Object.values(pipelines).map((p) => p.task))];
  const problems = new Map<string, string>();
  await Promise.all(
    tasks.map(async (task) => {
      try {
        await loadTask(resourcesDir, task);
      } catch (err) {
        problems.set(task, err instanceof NotFoundError ? (err as Error).message : `task "${task}" is invalid: ${(err as Error).message}`);
      }
    }),
  );
  for (const [name, def] of Object.entries(pipelines)) {
    const problem = problems.get(def.task);
    if (problem) throw new ValidationError(problem, { file: shown, field: `pipelines.${name}.task` });
  }
}

/**
 * Load one pipeline by name.
 * @throws NotFoundError naming the pipeline and listing the known ones.
 */
export async function getPipeline(resourcesDir: string, name: string, options: LoadPipelinesOptions = {}): Promise<PipelineDef> {
  // Only this pipeline's task is checked: a broken task elsewhere must not block an unrelated run.
  const all = await loadPipelines(resourcesDir, { checkTasks: false });
  const def = Object.hasOwn(all, name) ? all[name] : undefined;
  if (!def) {
    const known = Object.keys(all).sort();
    throw new NotFoundError(`unknown pipeline "${name}" (known: ${known.length ? known.join(', ') : 'none'})`);
  }
  if (options.checkTasks ?? true) await checkTasks(resourcesDir, { [name]: def }, displayPath(pipelinesFile(resourcesDir)));
  return def;
}
