/**
 * Pick the storage backend from configuration: the local data directory by
 * default, a `file:///path` URL for another local root, or `s3://bucket/prefix`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../errors';
import { LocalObjectStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

/** The part of the app config the store needs (see src/config.ts). */
export interface StoreConfig {
  dataDir: string;
  /** `s3://bucket/prefix` or `file:///path`; undefined means `dataDir`. */
  storageUrl?: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean };
}

/** Create the configured {@link ObjectStore}. Does no I/O (the S3 client connects lazily). */
export function createStore(cfg: StoreConfig): ObjectStore {
  const url = cfg.storageUrl?.trim();
  if (!url) return new LocalObjectStore(cfg.dataDir);
  if (url.startsWith('file:')) return new LocalObjectStore(fileURLToPath(url));
  if (url.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m) throw new ValidationError(`bad S3 URL "${url}" (expected s3://bucket/prefix)`, { field: 'STORAGE_URL' });
    const client = new S3Client({
      region: cfg.s3.region,
      endpoint: cfg.s3.endpoint,
      forcePathStyle: cfg.s3.forcePathStyle,
      // Checksums only where S3 requires them, so S3-compatible servers (MinIO, Ceph, s3rver) work.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3ObjectStore({ client, bucket: m[1]!, prefix: m[2], scratchDir: path.join(cfg.dataDir, '.tmp') });
  }
  throw new ValidationError(`unsupported storage URL "${url}" (expected s3://bucket/prefix or file:///path)`, { field: 'STORAGE_URL' });
}
