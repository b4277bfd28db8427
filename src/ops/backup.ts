/**
 * Backups of the data directory: `<dataDir>/backups/<YYYYMMDD_HHMMSS>.tar.gz`
 * plus `<file>.sha256` (sha256sum format). `redis/` (Redis has its own AOF),
 * `backups/` and `.tmp/` (partial writes) are left out, as are symlinks. The
 * archive appears atomically: it is written under a dot-name, its checksum
 * file is written, then it is renamed. Only the newest `keep` are kept.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { create } from 'tar';
import type { Resources } from '../context';
import { ValidationError } from '../errors';

/** Top-level folders of the data dir never archived. */
export const BACKUP_EXCLUDES = ['redis', 'backups', '.tmp'] as const;
/** Folder of backups under the data dir. */
export const BACKUP_DIR = 'backups';

/** Options of {@link createBackup}. */
export interface BackupOptions {
  /** Backups to keep, this one included (default 7). */
  keep?: number;
  /** Time for the file name (default now). */
  now?: Date;
}

/** A finished backup. */
export interface BackupResult {
  file: string;
  sha256: string;
  bytes: number;
  /** Backups deleted to keep `keep`. */
  pruned: string[];
  durationMs: number;
}

type BackupRes = Pick<Resources, 'config' | 'logger'>;

const pad = (n: number) => String(n).padStart(2, '0');
/** `YYYYMMDD_HHMMSS` in UTC. */
export function backupStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

const BACKUP_NAME = /^\d{8}_\d{6}(?:-\d+)?\.tar\.gz$/;

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Backups in `dir`, newest first. */
export async function listBackups(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  return names.filter((n) => BACKUP_NAME.test(n)).sort().reverse();
}

async function freeName(dir: string, stamp: string): Promise<string> {
  for (let i = 0; ; i++) {
    const name = `${stamp}${i ? `-${i}` : ''}.tar.gz`;
    const taken = await fs.stat(path.join(dir, name)).then(() => true, () => false);
    if (!taken) return name;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

async function archive(dataDir: string, target: string, log: BackupRes['logger']): Promise<void> {
  const entries = (await fs.readdir(dataDir)).filter((n) => !(BACKUP_EXCLUDES as readonly string[]).includes(n)).sort();
  if (entries.length === 0) throw new ValidationError(`nothing to back up: ${dataDir} is empty`, { field: 'DATA_DIR' });
  await create(
    {
      file: target,
      gzip: true,
      cwd: dataDir,
      portable: true,
      filter: (p: string, st: Stats | unknown) => {
        const s = st as Stats;
        if (typeof s.isSymbolicLink === 'function' && s.isSymbolicLink()) {
          log.warn('backup: symlink left out', { path: p });
          return false;
        }
        return typeof s.isFile !== 'function' || s.isFile() || s.isDirectory();
      },
      onwarn: (code: string, message: string) => log.warn('backup: tar warning', { code, message }),
    },
    entries,
  );
}

/** Archive the data directory now. Retries twice when a file vanishes mid-archive (retention or a run deleted it). */
export async function createBackup(res: BackupRes, opts: BackupOptions = {}): Promise<BackupResult> {
  const t0 = Date.now();
  const keep = opts.keep ?? 7;
  if (!Number.isInteger(keep) || keep < 1) throw new ValidationError(`must be a positive integer, got ${keep}`, { field: 'keep' });
  const dataDir = res.config.dataDir;
  const dir = path.join(dataDir, BACKUP_DIR);
  await fs.mkdir(dir, { recursive: true });
  const name = await freeName(dir, backupStamp(opts.now ?? new Date()));
  const file = path.join(dir, name);
  const partial = path.join(dir, `.${name}.${process.pid}.partial`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await archive(dataDir, partial, res.logger);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
        res.logger.warn('backup: a file vanished while archiving; starting over', { attempt, error: (err as Error).message });
      }
    }
    const sha256 = await sha256File(partial);
    await writeAtomic(`${file}.sha256`, `${sha256}  ${name}\n`);
    await fs.rename(partial, file);
    const { size } = await fs.stat(file);
    const pruned = await pruneBackups(dir, keep);
    res.logger.info('backup written', { file, bytes: size, pruned: pruned.length });
    return { file, sha256, bytes: size, pruned, durationMs: Date.now() - t0 };
  } finally {
    await fs.rm(partial, { force: true });
  }
}

/** Delete all but the newest `keep` backups (with their .sha256), and checksum files whose archive is gone. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const all = await listBackups(dir);
  const gone = all.slice(keep);
  for (const name of gone) {
    await fs.rm(path.join(dir, name), { force: true });
    await fs.rm(path.join(dir, `${name}.sha256`), { force: true });
  }
  const kept = new Set(all.slice(0, keep));
  for (const n of await fs.readdir(dir)) {
    if (n.endsWith('.tar.gz.sha256') && !kept.has(n.slice(0, -'.sha256'.length))) await fs.rm(path.join(dir, n), { force: true });
    // Leftovers of a backup that crashed (a running one is younger than a day).
    if (n.startsWith('.') && n.endsWith('.partial')) {
      const st = await fs.stat(path.join(dir, n)).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 24 * 3600 * 1000) await fs.rm(path.join(dir, n), { force: true });
    }
  }
  return gone.map((n) => path.join(dir, n));
}
