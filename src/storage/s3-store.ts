/**
 * S3 (or S3-compatible) {@link ObjectStore}: keys live under `s3://bucket/prefix/`.
 * Uploads are multipart and atomic (an object appears only when complete);
 * `localCopy` spools to a temp file for readers that need random access.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors';
import { assertSafeKey } from './keys';
import type { AtomicWrite, LocalHandle, ObjectInfo, ObjectStore } from './object-store';
import { hashFile, removeQuietly, tempFileIn } from './fs-util';
import { openS3AtomicWrite, uploadFile } from './s3-write';

/** Options for {@link S3ObjectStore}. */
export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for none). */
  prefix?: string;
  /** Local directory for spooled copies and temp files. */
  scratchDir: string;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** S3 backend. */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly scratch: string;

  constructor(opts: S3StoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.scratch = opts.scratchDir;
  }

  private full(key: string): string {
    const k = assertSafeKey(key);
    return this.prefix ? `${this.prefix}/${k}` : k;
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.full(key)}`;
  }

  scratchDir(): string {
    return this.scratch;
  }

  async openWrite(key: string): Promise<AtomicWrite> {
    return openS3AtomicWrite(this.client, this.bucket, this.full(key));
  }

  async putFile(key: string, localPath: string): Promise<{ bytes: number; sha256: string }> {
    const full = this.full(key);
    const info = await hashFile(localPath);
    await uploadFile(this.client, this.bucket, full, localPath);
    await removeQuietly(localPath);
    return info;
  }

  async putBytes(key: string, data: Buffer | string): Promise<{ bytes: number; sha256: string }> {
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: body }));
    return { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  }

  async getBytes(key: string): Promise<Buffer> {
    const body = await this.get(key);
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(parts);
  }

  async createReadStream(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    return this.get(key, range ? `bytes=${range.start}-${range.end ?? ''}` : undefined);
  }

  async localCopy(key: string): Promise<LocalHandle> {
    const body = await this.get(key);
    const file = await tempFileIn(this.scratch, key.split('/').pop());
    try {
      await pipeline(body, createWriteStream(file));
    } catch (err) {
      await removeQuietly(file);
      throw err;
    }
    return { path: file, release: () => removeQuietly(file) };
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return { key: assertSafeKey(key), size: h.ContentLength ?? 0, mtime: h.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const rel = prefix === '' ? '' : assertSafeKey(prefix, 'prefix') + (prefix.endsWith('/') ? '/' : '');
    const base = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + rel, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(base.length), size: o.Size ?? 0, mtime: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async get(key: string, range?: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key), Range: range }));
      return res.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`object "${assertSafeKey(key)}" not found in s3://${this.bucket}/${this.prefix}`);
      throw err;
    }
  }
}
