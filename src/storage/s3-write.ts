/**
 * Streaming, hashing uploads for the S3 backend. A multipart upload becomes
 * visible under its key only when it completes, so a write is atomic.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { AtomicWrite } from './object-store';

/** Upload `body` to `bucket/key` (multipart when large). */
function startUpload(client: S3Client, bucket: string, key: string, body: Readable): Upload {
  return new Upload({ client, params: { Bucket: bucket, Key: key, Body: body }, queueSize: 2, partSize: 8 * 2 ** 20 });
}

/** Open an {@link AtomicWrite} that streams to S3 and completes on commit. */
export function openS3AtomicWrite(client: S3Client, bucket: string, key: string): AtomicWrite {
  const hash = createHash('sha256');
  let bytes = 0;
  const body = new PassThrough();
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  hasher.pipe(body);
  hasher.on('error', (err) => body.destroy(err));
  const upload = startUpload(client, bucket, key, body);
  const done = upload.done();
  let state: 'open' | 'committed' | 'aborted' = 'open';
  // A failed upload stops reading its body, so a writer waiting for 'drain' would wait forever:
  // fail the writable side too (commit() still reports the upload's error).
  done.catch((err: unknown) => {
    if (state === 'open' && !hasher.destroyed) hasher.destroy(err instanceof Error ? err : new Error(String(err)));
  });

  return {
    stream: hasher,
    async commit() {
      if (state !== 'open') throw new Error(`write to s3://${bucket}/${key} was already ${state}`);
      if (!hasher.writableEnded) hasher.end();
      try {
        await done;
      } catch (err) {
        state = 'aborted';
        throw err;
      }
      state = 'committed';
      return { bytes, sha256: hash.digest('hex') };
    },
    async abort() {
      if (state === 'committed') return;
      state = 'aborted';
      await upload.abort().catch(() => undefined);
      hasher.destroy();
      body.destroy();
      await done.catch(() => undefined);
    },
  };
}

/** Upload a local file; resolves once the object is complete. */
export async function uploadFile(client: S3Client, bucket: string, key: string, file: string): Promise<void> {
  await startUpload(client, bucket, key, createReadStream(file)).done();
}
