/**
 * Restore a backup made by backup.ts, through the storage interface. The
 * archive comes from the store (`backups/<name>`) or from a local path. It is
 * read from one local copy (the file itself, or a spooled download in the
 * scratch dir), so the bytes verified are the bytes restored. Nothing is
 * written until the archive passed two checks: its sha256 matches
 * `<name>.sha256`, and no entry is absolute, climbs out with `..`, or is a
 * link leaving the tree. Each object is then written back atomically; objects
 * not in the archive are left alone. Finally the catalog is rebuilt.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Resources } from '../context';
import { NotFoundError, ValidationError } from '../errors';
import { LocalObjectStore } from '../storage/local-store';
import type { LocalHandle, ObjectStore } from '../storage/object-store';
import { BACKUP_DIR, sha256File, storeRoot } from './backup';
import { checkEntries, extractInto, unsafePath } from './restore-entries';

export { checkEntries, unsafePath };

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** Restore into this local directory instead of the store (to inspect a backup). */
  target?: string;
  /** Restore into this store instead of `res.store`. */
  into?: ObjectStore;
  /** Rebuild the catalog after restoring into `res.store` (default true; needs `res.catalog`). */
  reindex?: boolean;
}

/** A finished restore. */
export interface RestoreResult {
  /** The archive: a local path or the store URI of `backups/<name>`. */
  file: string;
  /** Where the objects went: a directory or an `s3://` URI. */
  target: string;
  sha256: string;
  /** Objects written. */
  entries: number;
  /** Entries under excluded prefixes that were not restored. */
  skipped: number;
  /** Catalog entries indexed after the restore, when it was rebuilt. */
  reindexed?: { indexed: number; errors: number };
}

type RestoreRes = Pick<Resources, 'store' | 'logger'> & { catalog?: Pick<Resources['catalog'], 'rebuild'> };

/** Where a backup archive and its checksum are read from. */
export interface BackupSource {
  /** The archive as users see it. */
  file: string;
  /** The checksum file as users see it. */
  sumFile: string;
  /** The checksum file's text, or null if it is missing. */
  readSum(): Promise<string | null>;
  /** A local file with the archive's bytes. */
  open(): Promise<LocalHandle>;
}

/**
 * Find a backup: a local path if one exists, else `backups/<name>` in the store
 * (`file` may be a name, a `backups/…` key, or a path whose base name is used).
 * @throws NotFoundError naming both places looked in.
 */
export async function resolveBackupSource(store: ObjectStore, file: string): Promise<BackupSource> {
  if (existsSync(file) && (await fs.stat(file)).isFile()) {
    const abs = path.resolve(file);
    return {
      file: abs,
      sumFile: `${abs}.sha256`,
      readSum: () => fs.readFile(`${abs}.sha256`, 'utf8').catch(() => null),
      open: async () => ({ path: abs, release: async () => undefined }),
    };
  }
  const key = `${BACKUP_DIR}/${path.basename(file)}`;
  if (!path.basename(file) || !(await store.stat(key))) {
    throw new NotFoundError(`backup ${file} not found (no such local file, and no ${key} in ${storeRoot(store)})`);
  }
  return {
    file: store.uri(key),
    sumFile: store.uri(`${key}.sha256`),
    readSum: () => store.getBytes(`${key}.sha256`).then((b) => b.toString('utf8'), (err: unknown) => (err instanceof NotFoundError ? null : Promise.reject(err))),
    open: () => store.localCopy(key),
  };
}

/**
 * Check a local archive's sha256 against the checksum text (sha256sum format).
 * @throws ValidationError when the checksum is missing or malformed, or the sums differ.
 */
export async function verifyBackup(localPath: string, sumText: string | null, label = localPath, sumLabel = `${label}.sha256`): Promise<string> {
  if (sumText === null) {
    throw new ValidationError(`refusing to restore ${label}: checksum file ${sumLabel} is missing, so the archive cannot be verified`, { file: sumLabel });
  }
  const expected = sumText.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new ValidationError(`refusing to restore ${label}: ${sumLabel} does not start with a sha256 hex digest`, { file: sumLabel });
  const actual = await sha256File(localPath);
  if (actual !== expected) {
    throw new ValidationError(`refusing to restore ${label}: sha256 mismatch (expected ${expected}, got ${actual}); the archive is damaged or was changed`, { file: label });
  }
  return actual;
}

/** Verify, check and restore a backup. Stop workers first when restoring into the live store. */
export async function restoreBackup(res: RestoreRes, file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const src = await resolveBackupSource(res.store, file);
  const sumText = await src.readSum();
  const handle = await src.open();
  try {
    const sha256 = await verifyBackup(handle.path, sumText, src.file, src.sumFile);
    await checkEntries(handle.path, src.file);
    const into = opts.into ?? (opts.target ? new LocalObjectStore(opts.target) : res.store);
    const target = opts.target ? path.resolve(opts.target) : storeRoot(into);
    const { written, skipped } = await extractInto(handle.path, into, res.logger);
    let reindexed: RestoreResult['reindexed'];
    if (into === res.store && opts.reindex !== false && res.catalog) {
      const r = await res.catalog.rebuild();
      reindexed = { indexed: r.indexed, errors: r.errors.length };
    }
    res.logger.info('backup restored', { file: src.file, target, entries: written, skipped: skipped.length });
    return { file: src.file, target, sha256, entries: written, skipped: skipped.length, reindexed };
  } finally {
    await handle.release();
  }
}
