/**
 * Retention: delete data files older than their kind's max age (see
 * resources/retention.yaml), each with its `.meta.json` sidecar. A file that
 * belongs to a run that has not finished is never deleted, whatever its age:
 * the run id comes from the sidecar, the report name (`reports/<runId>.json`)
 * or the parts folder (`runs/<runId>/`). Works through the ObjectStore, so it
 * cleans S3 as well as the local disk.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Resources } from '../context';
import { sidecarKey } from '../storage/sidecar';
import type { ObjectInfo } from '../storage/object-store';
import type { RetentionKind, OpsConfig } from './ops-config';

/** What one pass did. */
export interface RetentionResult {
  /** Keys deleted (data files, sidecars and part files). */
  deleted: string[];
  bytesFreed: number;
  /** Old files kept because their run has not finished. */
  keptInUse: string[];
}

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  now?: Date;
  /** Report what would go without deleting. */
  dryRun?: boolean;
}

type RetentionRes = Pick<Resources, 'store' | 'runs' | 'logger' | 'config' | 'catalog'>;

const DAY_MS = 24 * 3600 * 1000;
const SIDECAR = '.meta.json';
const PREFIX: Record<Exclude<RetentionKind, 'parts'>, string> = { raw: 'raw/', processed: 'processed/', output: 'output/', reports: 'reports/' };
const ENDED = new Set(['completed', 'failed']);

async function listAll(res: RetentionRes, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of res.store.list(prefix)) out.push(o);
  return out;
}

/** Run id of a data file: from its sidecar, or from a report's name. */
async function runIdOf(res: RetentionRes, key: string, hasSidecar: boolean): Promise<string | undefined> {
  if (hasSidecar) {
    try {
      const meta = JSON.parse((await res.store.getBytes(sidecarKey(key))).toString('utf8')) as { runId?: unknown };
      if (typeof meta.runId === 'string') return meta.runId;
    } catch {
      // An unreadable sidecar says nothing about the run; fall through to the name.
    }
  }
  const m = /^reports\/([A-Za-z0-9_-]+)\.json$/.exec(key);
  return m?.[1];
}

/** Delete old files of every kind. */
export async function applyRetention(res: RetentionRes, cfg: OpsConfig, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const now = (opts.now ?? new Date()).getTime();
  const result: RetentionResult = { deleted: [], bytesFreed: 0, keptInUse: [] };
  const states = new Map<string, boolean>();
  const inUse = async (runId: string | undefined): Promise<boolean> => {
    if (!runId) return false;
    if (!states.has(runId)) {
      const s = await res.runs.get(runId);
      // Unknown run ids (records removed) cannot be running.
      states.set(runId, s !== null && !ENDED.has(s.state));
    }
    return states.get(runId)!;
  };
  const remove = async (o: ObjectInfo) => {
    result.deleted.push(o.key);
    result.bytesFreed += o.size;
    if (opts.dryRun) return;
    await res.store.delete(o.key);
    // Deleted files leave the catalog too, so queries never point at missing data.
    if (!o.key.endsWith(SIDECAR)) await res.catalog.forget(o.key);
  };

  for (const kind of Object.keys(PREFIX) as Array<keyof typeof PREFIX>) {
    const cutoff = now - cfg.max_age_days[kind] * DAY_MS;
    const objects = await listAll(res, PREFIX[kind]);
    const byKey = new Map(objects.map((o) => [o.key, o]));
    for (const o of objects) {
      if (o.key.endsWith(SIDECAR) || o.mtime.getTime() >= cutoff) continue;
      const side = byKey.get(sidecarKey(o.key));
      if (await inUse(await runIdOf(res, o.key, side !== undefined))) {
        result.keptInUse.push(o.key);
        continue;
      }
      // Sidecar after the data file: a sidecar without data is harmless, the reverse is not.
      await remove(o);
      if (side) await remove(side);
      byKey.delete(o.key);
      if (side) byKey.delete(side.key);
    }
    // Sidecars whose data file is gone (e.g. an earlier pass stopped between the two deletes).
    for (const o of objects) {
      if (o.key.endsWith(SIDECAR) && byKey.has(o.key) && !byKey.has(o.key.slice(0, -SIDECAR.length)) && o.mtime.getTime() < cutoff) await remove(o);
    }
  }

  // Parts: one folder per run, judged as a whole by its newest file.
  const cutoff = now - cfg.max_age_days.parts * DAY_MS;
  const runs = new Map<string, ObjectInfo[]>();
  for (const o of await listAll(res, 'runs/')) {
    const runId = o.key.split('/')[1];
    if (runId) runs.set(runId, [...(runs.get(runId) ?? []), o]);
  }
  for (const [runId, files] of runs) {
    if (Math.max(...files.map((f) => f.mtime.getTime())) >= cutoff) continue;
    if (await inUse(runId)) {
      result.keptInUse.push(`runs/${runId}/`);
      continue;
    }
    for (const f of files) await remove(f);
    // Only folders of runs just cleaned: a new run's empty folder may be about to receive a part.
    if (!opts.dryRun && res.store.kind === 'local') await pruneEmptyDirs(path.join(res.config.dataDir, 'runs', runId));
  }
  res.logger.info('retention pass', { deleted: result.deleted.length, bytesFreed: result.bytesFreed, keptInUse: result.keptInUse.length, dryRun: !!opts.dryRun });
  return result;
}

/** Remove `dir` and the folders below it if they are empty. */
async function pruneEmptyDirs(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await pruneEmptyDirs(path.join(dir, e.name));
  // rmdir fails on a non-empty folder, which is what we want.
  await fs.rmdir(dir).catch(() => undefined);
}
