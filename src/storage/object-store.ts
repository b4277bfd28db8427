/**
 * The storage interface every data file goes through. Keys are relative,
 * slash-separated paths under the data root that mirror the contract's layout
 * (`raw/…`, `processed/…`, `output/…`, `reports/…`, `runs/<runId>/parts/…`).
 *
 * The local filesystem backend is the default; an S3 backend implements the
 * same interface so workers on other hosts need only Redis and the store.
 */
import type { Readable, Writable } from 'node:stream';

/** What {@link ObjectStore.stat} and {@link ObjectStore.list} report about a key. */
export interface ObjectInfo {
  key: string;
  size: number;
  mtime: Date;
}

/** A write in progress. Nothing is visible under the final key until `commit` resolves. */
export interface AtomicWrite {
  /** Write the bytes here; end it (or let `commit` end it). */
  readonly stream: Writable;
  /** Finish the write and publish it under the final key. Resolves with byte count and sha256. */
  commit(): Promise<{ bytes: number; sha256: string }>;
  /** Drop the partial write. Safe to call after a failed commit. */
  abort(): Promise<void>;
}

/** A local file made available for reading (the file itself, or a spooled copy). */
export interface LocalHandle {
  readonly path: string;
  /** Remove the spooled copy, if any. */
  release(): Promise<void>;
}

/** A backend that stores data files. */
export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** The location users see: an absolute path (local) or an `s3://bucket/prefix/key` URI. */
  uri(key: string): string;
  /** A local scratch directory for temporary files (same filesystem as the data for local). */
  scratchDir(): string;
  /** Stream bytes into `key` atomically. */
  openWrite(key: string): Promise<AtomicWrite>;
  /** Publish a finished local file under `key` atomically. The local file is moved or removed. */
  putFile(key: string, localPath: string): Promise<{ bytes: number; sha256: string }>;
  /** Write a small object atomically. */
  putBytes(key: string, data: Buffer | string): Promise<{ bytes: number; sha256: string }>;
  /** Read a small object whole. Rejects with a NotFoundError if missing. */
  getBytes(key: string): Promise<Buffer>;
  /** Stream an object, optionally a byte range [start, end] inclusive. */
  createReadStream(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  /** A local file with the object's bytes, for readers that need random access. */
  localCopy(key: string): Promise<LocalHandle>;
  /** Size and mtime, or null if missing. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Every key under a prefix (recursive), in no particular order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Remove a key; missing keys are not an error. */
  delete(key: string): Promise<void>;
}

/**
 * Check that a key stays inside the store: relative, no `..` segments, no
 * backslashes or NUL bytes. Returns the normalized key.
 * @throws ValidationError naming the key.
 */
export { assertSafeKey } from './keys';
