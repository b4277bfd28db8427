/**
 * Restore a backup made by backup.ts. Nothing is written until the archive
 * passed two checks: its sha256 matches `<file>.sha256`, and no entry is
 * absolute, climbs out with `..`, or is a symlink (or a hard link leaving the
 * archive's tree). Files in the archive overwrite files at the target; other
 * files at the target are left alone.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { extract, list } from 'tar';
import type { Resources } from '../context';
import { NotFoundError, ValidationError } from '../errors';
import { BACKUP_DIR, sha256File } from './backup';

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** Where to extract (default: the data dir). Created if missing. */
  target?: string;
}

/** A finished restore. */
export interface RestoreResult {
  file: string;
  target: string;
  sha256: string;
  entries: number;
}

type RestoreRes = Pick<Resources, 'config' | 'logger'>;

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** A path given on the command line: as is if it exists, else a name under `<dataDir>/backups/`. */
export function resolveBackupFile(dataDir: string, file: string): string {
  if (existsSync(file)) return path.resolve(file);
  const inDir = path.join(dataDir, BACKUP_DIR, path.basename(file));
  if (existsSync(inDir)) return inDir;
  throw new NotFoundError(`backup ${file} not found (also looked in ${path.join(dataDir, BACKUP_DIR)})`);
}

/** Why an archive path is unsafe, or null. */
export function unsafePath(p: string): string | null {
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) return 'is absolute';
  if (p.split(/[\\/]/).includes('..')) return 'contains ".."';
  return null;
}

/**
 * Check the archive's checksum against its `.sha256` file.
 * @throws ValidationError when the checksum file is missing or malformed, or the sums differ.
 */
export async function verifyBackup(file: string): Promise<string> {
  const sumFile = `${file}.sha256`;
  let text: string;
  try {
    text = await fs.readFile(sumFile, 'utf8');
  } catch {
    throw new ValidationError(`refusing to restore ${file}: checksum file ${sumFile} is missing, so the archive cannot be verified`, { file: sumFile });
  }
  const expected = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new ValidationError(`refusing to restore ${file}: ${sumFile} does not start with a sha256 hex digest`, { file: sumFile });
  const actual = await sha256File(file);
  if (actual !== expected) {
    throw new ValidationError(`refusing to restore ${file}: sha256 mismatch (expected ${expected}, got ${actual}); the archive is damaged or was changed`, { file });
  }
  return actual;
}

/**
 * List the archive and refuse it if any entry is unsafe.
 * @throws ValidationError naming the first offending entries.
 */
export async function checkEntries(file: string): Promise<number> {
  const problems: string[] = [];
  let n = 0;
  await list({
    file,
    onReadEntry: (e) => {
      n++;
      const why = unsafePath(e.path);
      if (why) problems.push(`"${e.path}" ${why}`);
      else if (e.type === 'Link') {
        const lw = unsafePath(e.linkpath ?? '');
        if (lw || !e.linkpath) problems.push(`hard link "${e.path}" points to "${e.linkpath ?? ''}"`);
      } else if (!FILE_TYPES.has(e.type)) problems.push(`"${e.path}" is a ${e.type} (only files and folders are restored)`);
      e.resume();
    },
  });
  if (problems.length) {
    throw new ValidationError(`refusing to restore ${file}: unsafe entries: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` and ${problems.length - 5} more` : ''}`, { file });
  }
  return n;
}

/** Verify, check and extract a backup. Stop workers first when restoring into the live data dir. */
export async function restoreBackup(res: RestoreRes, file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const abs = resolveBackupFile(res.config.dataDir, file);
  const sha256 = await verifyBackup(abs);
  const entries = await checkEntries(abs);
  const target = path.resolve(opts.target ?? res.config.dataDir);
  await fs.mkdir(target, { recursive: true });
  await extract({ file: abs, cwd: target, strict: true, preservePaths: false, preserveOwner: false });
  res.logger.info('backup restored', { file: abs, target, entries });
  return { file: abs, target, sha256, entries };
}
