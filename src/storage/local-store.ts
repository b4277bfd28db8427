/**
 * The default {@link ObjectStore}: files under a root directory. Keys are
 * relative paths; temp files live in `<root>/.tmp/` (same filesystem) and are
 * renamed into place, so a file appears whole or not at all.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError, ValidationError } from '../errors';
import { assertSafeKey } from './keys';
import type { AtomicWrite, LocalHandle, ObjectInfo, ObjectStore } from './object-store';
import { fsyncFile, hashFile, moveFile, tempFileIn } from './fs-util';
import { openLocalAtomicWrite } from './local-write';

/** Name of the scratch folder under the root; never listed. */
export const LOCAL_TMP_DIR = '.tmp';

/** Local filesystem backend. */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  private readonly root: string;
  private realRoot?: string;

  /** @param rootDir the data root (e.g. `./data`); created on first write. */
  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  uri(key: string): string {
    return path.join(this.root, assertSafeKey(key));
  }

  scratchDir(): string {
    return path.join(this.root, LOCAL_TMP_DIR);
  }

  async openWrite(key: string): Promise<AtomicWrite> {
    const finalPath = this.uri(key);
    const temp = await tempFileIn(this.scratchDir(), path.basename(finalPath));
    return openLocalAtomicWrite(temp, finalPath, this.scratchDir());
  }

  async putFile(key: string, localPath: string): Promise<{ bytes: number; sha256: string }> {
    const finalPath = this.uri(key);
    const info = await hashFile(localPath);
    await fsyncFile(localPath);
    await moveFile(localPath, finalPath, this.scratchDir());
    return info;
  }

  async putBytes(key: string, data: Buffer | string): Promise<{ bytes: number; sha256: string }> {
    const w = await this.openWrite(key);
    try {
      w.stream.end(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      return await w.commit();
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    return readFile(await this.mustResolve(key));
  }

  async createReadStream(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const file = await this.mustResolve(key);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async localCopy(key: string): Promise<LocalHandle> {
    const file = await this.mustResolve(key);
    return { path: file, release: async () => undefined };
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const file = await this.resolveExisting(key);
    if (!file) return null;
    const s = await stat(file);
    if (!s.isFile()) return null;
    return { key: assertSafeKey(key), size: s.size, mtime: s.mtime };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // '' lists everything; a trailing '/' means "inside this folder" as on S3.
    const norm = prefix === '' ? '' : assertSafeKey(prefix, 'prefix') + (prefix.endsWith('/') ? '/' : '');
    const startDir = norm.endsWith('/') || norm === '' ? norm : path.posix.dirname(norm);
    const base = startDir === '.' ? '' : startDir.replace(/\/$/, '');
    yield* this.walk(base, norm);
  }

  async delete(key: string): Promise<void> {
    const file = this.uri(key);
    try {
      const s = await lstat(file);
      if (s.isDirectory()) throw new ValidationError(`"${key}" is a folder, not an object`, { field: 'key' });
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private async *walk(dirKey: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dir = dirKey ? path.join(this.root, dirKey) : this.root;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw err;
    }
    for (const e of entries) {
      const key = dirKey ? `${dirKey}/${e.name}` : e.name;
      if (!dirKey && e.name === LOCAL_TMP_DIR) continue;
      // Symlinks are skipped on purpose: they could point outside the root.
      if (e.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix) || key.startsWith(prefix)) yield* this.walk(key, prefix);
      } else if (e.isFile() && key.startsWith(prefix)) {
        const s = await stat(path.join(dir, e.name)).catch(() => null);
        if (s) yield { key, size: s.size, mtime: s.mtime };
      }
    }
  }

  /** Real path of an existing key, or null if missing. Refuses symlinks that leave the root. */
  private async resolveExisting(key: string): Promise<string | null> {
    const file = this.uri(key);
    let real: string;
    try {
      real = await realpath(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw err;
    }
    this.realRoot ??= await realpath(this.root);
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
      throw new ValidationError(`"${key}" resolves outside the data root`, { field: 'key' });
    }
    return real;
  }

  private async mustResolve(key: string): Promise<string> {
    const file = await this.resolveExisting(key);
    if (!file) throw new NotFoundError(`object "${assertSafeKey(key)}" not found in ${this.root}`);
    const s = await stat(file);
    if (!s.isFile()) throw new NotFoundError(`object "${assertSafeKey(key)}" not found in ${this.root} (it is a folder)`);
    return file;
  }
}
