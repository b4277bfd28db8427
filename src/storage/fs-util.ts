/**
 * Small filesystem helpers shared by the storage backends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Byte count and sha256 (hex) of a local file, read as a stream. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Flush a file's data to disk so a rename after a crash never exposes a short file. */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A fresh, unused file name inside `dir` (the directory is created). */
export async function tempFileIn(dir: string, hint = 'tmp'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const safeHint = hint.replace(/[^A-Za-z0-9._-]/g, '_').slice(-60);
  return path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}-${safeHint}`);
}

/**
 * Move `from` to `to`, creating the parent directory. Falls back to copy + rename
 * through `viaDir` when the two are on different filesystems (EXDEV), so the
 * final name still appears atomically.
 */
export async function moveFile(from: string, to: string, viaDir: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const staged = await tempFileIn(viaDir, path.basename(to));
    try {
      await copyFile(from, staged);
      await rename(staged, to);
    } catch (copyErr) {
      await rm(staged, { force: true });
      throw copyErr;
    }
    await unlink(from);
  }
}

/** Remove a file, ignoring a missing one. */
export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true });
}
