/**
 * Backups through the storage interface, so they work the same on the local
 * data dir and on S3: every object except `backups/`, `redis/`, `.tmp/` and
 * `audit/` is streamed, one at a time, into `backups/<YYYYMMDD_HHMMSS>.tar.gz`
 * (an atomic write), followed by `<name>.sha256` (sha256sum format). Only the
 * newest `keep` backups are kept.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Resources } from '../context';
import { ValidationError } from '../errors';
import type { ObjectInfo, ObjectStore } from '../storage/object-store';
import { OBJECT_CHANGED, packObjects } from './backup-tar';

/** Top-level prefixes never archived (nor restored): Redis' own files, backups, partial writes, the audit log. */
export const BACKUP_EXCLUDES = ['redis', 'backups', '.tmp', 'audit'] as const;
/** Folder (key prefix) of backups in the store. */
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
  /** Where users see it: an absolute path (local store) or an `s3://` URI. */
  file: string;
  /** Its key in the store (`backups/<name>`). */
  key: string;
  sha256: string;
  bytes: number;
  /** Objects archived. */
  objects: number;
  /** Backups deleted to keep `keep` (as `file` is given). */
  pruned: string[];
  durationMs: number;
}

type BackupRes = Pick<Resources, 'store' | 'logger'>;

const pad = (n: number) => String(n).padStart(2, '0');
/** `YYYYMMDD_HHMMSS` in UTC. */
export function backupStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

const BACKUP_NAME = /^\d{8}_\d{6}(?:-\d+)?\.tar\.gz$/;

/** sha256 of a local file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when a key lies under one of {@link BACKUP_EXCLUDES}. */
export function isExcludedKey(key: string): boolean {
  const top = key.split('/')[0] ?? '';
  return (BACKUP_EXCLUDES as readonly string[]).includes(top);
}

/** The store's root as users see it (a directory or an `s3://bucket/prefix` URI), for messages. */
export function storeRoot(store: ObjectStore): string {
  return store.uri('_').replace(/[/\\]_$/, '');
}

/** Names (`<stamp>.tar.gz`) of the backups in the store, newest first. */
export async function listBackups(store: ObjectStore): Promise<string[]> {
  const names: string[] = [];
  for await (const o of store.list(`${BACKUP_DIR}/`)) {
    const name = o.key.slice(BACKUP_DIR.length + 1);
    if (BACKUP_NAME.test(name)) names.push(name);
  }
  return names.sort().reverse();
}

async function freeName(store: ObjectStore, stamp: string): Promise<string> {
  for (let i = 0; ; i++) {
    const name = `${stamp}${i ? `-${i}` : ''}.tar.gz`;
    if (!(await store.stat(`${BACKUP_DIR}/${name}`))) return name;
  }
}

async function objectsToArchive(store: ObjectStore): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.list('')) if (!isExcludedKey(o.key)) out.push(o);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Write one archive attempt; aborted (nothing published) on any failure. */
async function writeArchive(res: BackupRes, key: string): Promise<{ bytes: number; sha256: string; objects: number }> {
  const infos = await objectsToArchive(res.store);
  if (infos.length === 0) throw new ValidationError(`nothing to back up: ${storeRoot(res.store)} holds no data objects`, { field: 'DATA_DIR' });
  const w = await res.store.openWrite(key);
  try {
    const packed = await packObjects(res.store, infos, w.stream, res.logger);
    if (packed.vanished.length) res.logger.warn('backup: objects deleted while archiving were left out', { count: packed.vanished.length, sample: packed.vanished.slice(0, 5) });
    return { ...(await w.commit()), objects: packed.objects };
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** Archive the store now. Starts over (twice at most) when an object changes size mid-archive. */
export async function createBackup(res: BackupRes, opts: BackupOptions = {}): Promise<BackupResult> {
  const t0 = Date.now();
  const keep = opts.keep ?? 7;
  if (!Number.isInteger(keep) || keep < 1) throw new ValidationError(`must be a positive integer, got ${keep}`, { field: 'keep' });
  const store = res.store;
  const name = await freeName(store, backupStamp(opts.now ?? new Date()));
  const key = `${BACKUP_DIR}/${name}`;
  let written: { bytes: number; sha256: string; objects: number };
  for (let attempt = 1; ; attempt++) {
    try {
      written = await writeArchive(res, key);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== OBJECT_CHANGED || attempt >= 3) throw err;
      res.logger.warn('backup: an object changed while archiving; starting over', { attempt, error: (err as Error).message });
    }
  }
  await store.putBytes(`${key}.sha256`, `${written.sha256}  ${name}\n`);
  const pruned = await pruneBackups(store, keep);
  const file = store.uri(key);
  res.logger.info('backup written', { file, bytes: written.bytes, objects: written.objects, pruned: pruned.length });
  return { file, key, sha256: written.sha256, bytes: written.bytes, objects: written.objects, pruned, durationMs: Date.now() - t0 };
}

/** Delete all but the newest `keep` backups (with their .sha256), and checksum files whose archive is gone. Returns the deleted archives' URIs. */
export async function pruneBackups(store: ObjectStore, keep: number): Promise<string[]> {
  const all = await listBackups(store);
  const gone = all.slice(keep);
  for (const name of gone) {
    await store.delete(`${BACKUP_DIR}/${name}`);
    await store.delete(`${BACKUP_DIR}/${name}.sha256`);
  }
  const kept = new Set(all.slice(0, keep));
  for await (const o of store.list(`${BACKUP_DIR}/`)) {
    const n = o.key.slice(BACKUP_DIR.length + 1);
    if (n.endsWith('.tar.gz.sha256') && !kept.has(n.slice(0, -'.sha256'.length))) await store.delete(o.key);
    // Leftovers of the file-based backups of earlier versions that crashed.
    if (n.startsWith('.') && n.endsWith('.partial') && Date.now() - o.mtime.getTime() > 24 * 3600 * 1000) await store.delete(o.key);
  }
  return gone.map((n) => store.uri(`${BACKUP_DIR}/${n}`));
}
