/**
 * The entry checks and the extraction of a verified backup archive into an
 * object store: every file entry becomes one atomic `openWrite`, streamed.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ReadEntry } from 'tar';
import { ValidationError } from '../errors';
import type { Logger } from '../logger';
import { assertSafeKey } from '../storage/keys';
import type { ObjectStore } from '../storage/object-store';
import { isExcludedKey } from './backup';
import { tarEntries } from './backup-tar';

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Why an archive path is unsafe, or null. */
export function unsafePath(p: string): string | null {
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) return 'is absolute';
  if (p.split(/[\\/]/).includes('..')) return 'contains ".."';
  return null;
}

function problemOf(e: ReadEntry): string | null {
  const why = unsafePath(e.path);
  if (why) return `"${e.path}" ${why}`;
  if (e.type === 'Directory') return null;
  if (e.type === 'Link') {
    const lw = e.linkpath ? unsafePath(e.linkpath) : 'is empty';
    return lw ? `hard link "${e.path}" points to "${e.linkpath ?? ''}"` : null;
  }
  if (!FILE_TYPES.has(e.type)) return `"${e.path}" is a ${e.type} (only files and folders are restored)`;
  try {
    assertSafeKey(e.path);
  } catch (err) {
    return `"${e.path}" is not a valid key (${(err as Error).message})`;
  }
  return null;
}

/**
 * Read a local archive through and refuse it if any entry is absolute, climbs
 * out with `..`, is a symlink or device, or is a hard link leaving the tree.
 * @returns the number of entries.
 * @throws ValidationError naming the first offending entries.
 */
export async function checkEntries(file: string, label = file): Promise<number> {
  const problems: string[] = [];
  let n = 0;
  try {
    for await (const e of tarEntries(createReadStream(file))) {
      n++;
      const p = problemOf(e);
      if (p) problems.push(p);
      e.resume();
    }
  } catch (err) {
    throw new ValidationError(`refusing to restore ${label}: not a readable tar.gz (${(err as Error).message})`, { file: label, cause: err });
  }
  if (problems.length) {
    throw new ValidationError(`refusing to restore ${label}: unsafe entries: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` and ${problems.length - 5} more` : ''}`, { file: label });
  }
  return n;
}

/** Copy a stream into an atomic write, honouring backpressure; commits, or aborts on failure. */
async function streamInto(store: ObjectStore, key: string, source: AsyncIterable<unknown>): Promise<void> {
  const w = await store.openWrite(key);
  const out: Writable = w.stream;
  try {
    for await (const c of source) if (!out.write(c as Buffer)) await once(out, 'drain');
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** What {@link extractInto} wrote. */
export interface ExtractResult {
  /** Objects written (hard links included). */
  written: number;
  /** Entries under excluded prefixes (`backups/`, `redis/`, `.tmp/`, `audit/`) that were not restored. */
  skipped: string[];
}

/**
 * Write every file entry of a checked archive into `into`, one atomic write
 * per object. Folder entries are implied by keys; hard links are copied from
 * their (earlier) target once all files are in.
 */
export async function extractInto(file: string, into: ObjectStore, log: Logger): Promise<ExtractResult> {
  const links: Array<{ key: string; target: string }> = [];
  const skipped: string[] = [];
  let written = 0;
  for await (const e of tarEntries(createReadStream(file))) {
    if (e.type === 'Directory') {
      e.resume();
      continue;
    }
    const key = assertSafeKey(e.path);
    if (isExcludedKey(key)) {
      skipped.push(key);
      e.resume();
    } else if (e.type === 'Link') {
      links.push({ key, target: assertSafeKey(e.linkpath ?? '') });
      e.resume();
    } else {
      await streamInto(into, key, e);
      written++;
    }
  }
  for (const l of links) {
    await streamInto(into, l.key, await into.createReadStream(l.target));
    written++;
  }
  if (skipped.length) log.warn('restore: entries under excluded prefixes were not restored', { count: skipped.length, sample: skipped.slice(0, 5) });
  return { written, skipped };
}
