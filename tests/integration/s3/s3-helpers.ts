/** Helpers for tests that run the pipeline on S3: credentials, downloads, listings. */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** The key pair s3rver accepts (it checks SigV4 signatures against it). */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/**
 * Put s3rver's key pair in the standard AWS variables of this process (the SDK's
 * default credential chain reads them, as it would in production). Returns a restore function.
 */
export function useS3rverCredentials(): () => void {
  const saved = Object.fromEntries(Object.keys(S3RVER_CREDENTIALS).map((k) => [k, process.env[k]]));
  Object.assign(process.env, S3RVER_CREDENTIALS);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** GetObject an `s3://` URI into a new file under `dir`; returns its path. */
export async function downloadObject(client: S3Client, uri: string, dir: string): Promise<string> {
  const { bucket, key } = parseS3Uri(uri);
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const file = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${path.basename(key)}`);
  await pipeline(res.Body as Readable, createWriteStream(file));
  return file;
}

/** Every object under a prefix (raw bucket keys). */
export async function listBucket(client: S3Client, bucket: string, prefix: string): Promise<Array<{ key: string; size: number }>> {
  const out: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Every file and directory under `root` (directories end with '/'), relative
 * and sorted, leaving out the scratch directory `.tmp/` itself (its contents are listed).
 */
export async function listLocalFiles(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .map((e) => {
      const rel = path.relative(root, path.join(e.parentPath ?? e.path, e.name));
      return e.isDirectory() ? `${rel}/` : rel;
    })
    .filter((p) => p !== '.tmp/')
    .sort();
}
