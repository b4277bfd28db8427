/**
 * Tar streams over the object store, with the `tar` package: pack stored
 * objects into a gzipped tar one object at a time, and walk the entries of a
 * tar(.gz) stream one at a time. Memory stays bounded by stream buffers: no
 * object is ever held whole, and backpressure reaches the object's read stream.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Header, Pack, Parser, ReadEntry } from 'tar';
import type { Logger } from '../logger';
import type { ObjectInfo, ObjectStore } from '../storage/object-store';

/** Error code of an object whose size changed between the listing and the read. */
export const OBJECT_CHANGED = 'EOBJECTCHANGED';

/** What {@link packObjects} wrote. */
export interface PackResult {
  /** Objects archived. */
  objects: number;
  /** Objects listed but gone when read (deleted by retention or a run meanwhile). */
  vanished: string[];
}

function changed(key: string, listed: number, read: string): Error {
  return Object.assign(new Error(`object "${key}" changed while archiving (listed with ${listed} bytes, read ${read})`), { code: OBJECT_CHANGED });
}

function isGone(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | null;
  return e?.name === 'NotFoundError' || e?.code === 'ENOENT';
}

/** Write into a tar entry, waiting for it to drain; `failed` aborts the wait when the pack errors. */
async function writeEntry(entry: ReadEntry, chunk: Buffer, failed: AbortSignal): Promise<void> {
  if (!entry.write(chunk)) await once(entry, 'drain', { signal: failed });
}

/** Add one object to the pack. Returns false when the object vanished before its first byte was read. */
async function addObject(pack: Pack, store: ObjectStore, info: ObjectInfo, failed: AbortSignal): Promise<boolean> {
  const header = () => new Header({ path: info.key, size: info.size, mode: 0o644, mtime: info.mtime, type: 'File' });
  if (info.size === 0) {
    const entry = new ReadEntry(header());
    pack.add(entry);
    entry.end();
    return true;
  }
  let stream: Readable;
  let first: IteratorResult<unknown>;
  let it: AsyncIterator<unknown>;
  try {
    stream = await store.createReadStream(info.key);
    it = stream[Symbol.asyncIterator]();
    // The first chunk proves the object is readable before its header goes into the archive.
    first = await it.next();
  } catch (err) {
    if (isGone(err)) return false;
    throw err;
  }
  const entry = new ReadEntry(header());
  pack.add(entry);
  let read = 0;
  try {
    for (let r = first; !r.done; r = await it.next()) {
      const chunk = Buffer.from(r.value as Uint8Array);
      read += chunk.length;
      if (read > info.size) throw changed(info.key, info.size, 'more');
      await writeEntry(entry, chunk, failed);
    }
  } finally {
    stream.destroy();
  }
  if (read !== info.size) throw changed(info.key, info.size, String(read));
  entry.end();
  return true;
}

/**
 * Stream the objects `infos` of `store` into `out` as a gzipped tar (one object
 * at a time, in the given order). Resolves once the whole archive was written
 * to `out` (and `out` was ended).
 * @throws Error with code {@link OBJECT_CHANGED} when an object's size differs from its listing.
 */
export async function packObjects(store: ObjectStore, infos: readonly ObjectInfo[], out: Writable, log: Logger): Promise<PackResult> {
  const pack = new Pack({ gzip: true, portable: true, onwarn: (code: string, message: string) => log.warn('backup: tar warning', { code, message }) });
  const failure = new AbortController();
  const finished = new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      failure.abort(err);
      reject(err);
    };
    pack.on('error', fail);
    out.on('error', fail);
    out.on('finish', resolve);
  });
  finished.catch(() => undefined);
  pack.pipe(out);
  const vanished: string[] = [];
  try {
    for (const info of infos) {
      if (failure.signal.aborted) break;
      if (!(await addObject(pack, store, info, failure.signal))) vanished.push(info.key);
    }
    pack.end();
    await finished;
  } catch (err) {
    throw failure.signal.aborted ? (failure.signal.reason as Error) : err;
  }
  return { objects: infos.length - vanished.length, vanished };
}

/**
 * The entries of a tar or tar.gz stream, one at a time. The caller must read
 * each entry to its end (or `resume()` it) before asking for the next.
 */
export async function* tarEntries(input: Readable): AsyncGenerator<ReadEntry> {
  const parser = new Parser({ strict: true });
  const pending: ReadEntry[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  parser.on('entry', (e: ReadEntry) => {
    pending.push(e);
    poke();
  });
  parser.on('end', () => {
    done = true;
    poke();
  });
  const fail = (err: unknown) => {
    failure ??= err;
    poke();
  };
  parser.on('error', fail);
  input.on('error', fail);
  input.pipe(parser as unknown as Writable);
  try {
    for (;;) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    input.unpipe();
    input.destroy();
  }
}
