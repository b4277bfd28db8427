/**
 * Temp files of writes that never finished (a process killed mid-write leaves
 * its partial file in the store's scratch folder). Atomic writes never publish
 * them; this sweep removes the ones old enough that no live write can own them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../storage/object-store';

/** Default age after which a scratch file is considered abandoned. */
export const SCRATCH_MAX_AGE_MS = 24 * 3600_000;

/** Delete scratch files older than `maxAgeMs`. Returns the removed file names. */
export async function sweepScratch(store: Pick<ObjectStore, 'scratchDir'>, maxAgeMs = SCRATCH_MAX_AGE_MS, now = Date.now()): Promise<string[]> {
  const dir = store.scratchDir();
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await fs.lstat(file).catch(() => null);
    if (!st || !st.isFile() || now - st.mtimeMs < maxAgeMs) continue;
    await fs.rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}
