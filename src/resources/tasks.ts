/**
 * Task files: `resources/tasks/<name>.yaml`. Read fresh on every call, so an
 * edited task applies to the next run without a restart.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '../errors';
import { zodToValidationError } from './issues';
import { nameSchema, taskSchema, type TaskDef } from './schemas';
import { displayPath, readYamlFile } from './yaml';

/** One entry of {@link listTasks}. A file that fails to load carries `error` instead of throwing. */
export interface TaskSummary {
  name: string;
  engine: string;
  description: string;
  model?: string;
  error?: string;
}

/** The folder that holds task files. */
export function tasksDir(resourcesDir: string): string {
  return path.join(resourcesDir, 'tasks');
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/**
 * Resolve a task name to its file, refusing names that could leave the tasks
 * folder (`..`, `/`, absolute paths) and symlinks that point outside it.
 */
async function resolveTaskFile(resourcesDir: string, name: string): Promise<{ realFile: string; shown: string }> {
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) {
    throw new ValidationError(`invalid task name ${JSON.stringify(name)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { field: 'task' });
  }
  const dir = tasksDir(resourcesDir);
  const file = path.join(dir, `${name}.yaml`);
  const shown = displayPath(file);
  let realDir: string;
  let realFile: string;
  try {
    realDir = await fs.realpath(dir);
    realFile = await fs.realpath(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw new NotFoundError(`unknown task "${name}" (no ${shown})`);
    throw err;
  }
  const rel = path.relative(realDir, realFile);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) {
    throw new ValidationError(`refused: the file resolves outside ${displayPath(dir)} (symlink to ${realFile})`, { file: shown });
  }
  return { realFile, shown };
}

/**
 * Load and validate one task. The file's `task_name` must equal its file name.
 * @throws ValidationError for a bad name, bad YAML or a field that fails validation (message names file and field).
 * @throws NotFoundError when there is no such task file.
 */
export async function loadTask(resourcesDir: string, name: string): Promise<TaskDef> {
  const { realFile, shown } = await resolveTaskFile(resourcesDir, name);
  let raw: unknown;
  try {
    raw = await readYamlFile(realFile, { displayName: shown });
  } catch (err) {
    // The file can vanish between the path check and the read.
    if (isErrno(err, 'ENOENT')) throw new NotFoundError(`unknown task "${name}" (no ${shown})`);
    throw err;
  }
  if (raw === null) throw new ValidationError('file is empty', { file: shown });
  const result = taskSchema.safeParse(raw);
  if (!result.success) throw zodToValidationError(result.error, shown);
  if (result.data.task_name !== name) {
    throw new ValidationError(`is "${result.data.task_name}" but the file is ${name}.yaml; they must match`, { file: shown, field: 'task_name' });
  }
  return result.data;
}

/** Every `*.yaml` in the tasks folder, sorted by name; broken files are listed with their error. */
export async function listTasks(resourcesDir: string): Promise<TaskSummary[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(tasksDir(resourcesDir));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const names = entries.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  return Promise.all(
    names.map(async (name): Promise<TaskSummary> => {
      try {
        const t = await loadTask(resourcesDir, name);
        return { name, engine: t.engine, description: t.description, ...(t.model ? { model: t.model } : {}) };
      } catch (err) {
        return { name, engine: 'unknown', description: '', error: (err as Error).message };
      }
    }),
  );
}
