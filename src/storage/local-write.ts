/**
 * A streaming, hashing, atomic write to the local filesystem: bytes go to a
 * temp file and are renamed into place on commit.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AtomicWrite } from './object-store';
import { fsyncFile, moveFile, removeQuietly } from './fs-util';

/**
 * Open an {@link AtomicWrite} that publishes `tempPath` as `finalPath` on commit.
 * Resolves once the temp file exists, so open errors surface here.
 */
export async function openLocalAtomicWrite(tempPath: string, finalPath: string, scratchDir: string): Promise<AtomicWrite> {
  const file = createWriteStream(tempPath);
  await once(file, 'open');
  const hash = createHash('sha256');
  let bytes = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const done = pipeline(hasher, file);
  // The caller learns of failures from commit(); keep an unobserved rejection from crashing the process.
  done.catch(() => undefined);
  let state: 'open' | 'committed' | 'aborted' = 'open';

  return {
    stream: hasher,
    async commit() {
      if (state !== 'open') throw new Error(`write to ${finalPath} was already ${state}`);
      if (!hasher.writableEnded) hasher.end();
      try {
        await done;
        await fsyncFile(tempPath);
        await moveFile(tempPath, finalPath, scratchDir);
      } catch (err) {
        await removeQuietly(tempPath);
        state = 'aborted';
        throw err;
      }
      state = 'committed';
      return { bytes, sha256: hash.digest('hex') };
    },
    async abort() {
      if (state === 'committed') return;
      state = 'aborted';
      if (!hasher.destroyed) hasher.destroy();
      await done.catch(() => undefined);
      await removeQuietly(tempPath);
    },
  };
}
