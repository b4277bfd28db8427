/**
 * Resolve the `file` collector's `path` option (a path or glob relative to
 * `<dataDir>/inbox`) to files that really live inside the inbox. Absolute
 * paths, `..` and symlinks that lead outside are refused.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { ValidationError } from '../errors';

const FIELD = 'options.path';

/** Syntactic checks, usable in a zod refinement. Returns a problem or null. */
export function pathProblem(p: string): string | null {
  if (p.includes('\0')) return 'must not contain NUL bytes';
  if (p.includes('\\')) return 'must use / as separator';
  if (path.isAbsolute(p) || /^[A-Za-z]:/.test(p)) return `"${p}" must be relative to the inbox folder (DATA_DIR/inbox)`;
  if (p.split('/').some((seg) => seg === '..')) return `"${p}" must not contain ".." (files must be inside DATA_DIR/inbox)`;
  return null;
}

/** A matched input file: its real absolute path, and `inbox/<relative path>` for messages. */
export interface InboxFile {
  path: string;
  name: string;
}

/** The files `pattern` names inside `<dataDir>/inbox`, sorted by path. */
export async function resolveInboxFiles(dataDir: string, pattern: string, opts: { allowEmpty?: boolean } = {}): Promise<InboxFile[]> {
  const problem = pathProblem(pattern);
  if (problem) throw new ValidationError(problem, { field: FIELD });
  const inbox = path.join(dataDir, 'inbox');
  let realInbox: string;
  try {
    realInbox = await fs.realpath(inbox);
  } catch {
    if (opts.allowEmpty) return [];
    throw new ValidationError(`no file matches "${pattern}": the inbox folder ${inbox} does not exist`, { field: FIELD });
  }
  let candidates: string[];
  if (fg.isDynamicPattern(pattern)) {
    candidates = await fg(pattern, { cwd: realInbox, onlyFiles: true, dot: false, absolute: true, followSymbolicLinks: true, unique: true });
  } else {
    const stat = await fs.stat(path.join(realInbox, pattern)).catch(() => null);
    if (stat?.isDirectory()) throw new ValidationError(`"${pattern}" is a folder; use a glob such as "${pattern.replace(/\/$/, '')}/*.csv"`, { field: FIELD });
    candidates = stat ? [path.join(realInbox, pattern)] : [];
  }
  if (candidates.length === 0 && opts.allowEmpty) return [];
  if (candidates.length === 0) throw new ValidationError(`no file matches "${pattern}" in ${inbox}`, { field: FIELD });
  const files = new Map<string, InboxFile>();
  for (const c of candidates) {
    const real = await fs.realpath(c);
    const rel = path.relative(realInbox, real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new ValidationError(`"${path.relative(realInbox, c)}" resolves outside the inbox folder (symlink?)`, { field: FIELD });
    }
    files.set(real, { path: real, name: `inbox/${rel.split(path.sep).join('/')}` });
  }
  return [...files.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
