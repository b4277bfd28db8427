/**
 * Pick the storage backend from configuration: the local data directory by
 * default, a `file:///path` URL for another local root, or `s3://bucket/prefix`.
 */
import { fileURLToPath } from 'node:url';
import { NonRetryableError, ValidationError } from '../errors';
import { LocalObjectStore } from './local-store';
import type { ObjectStore } from './object-store';

/** The part of the app config the store needs (see src/config.ts). */
export interface StoreConfig {
  dataDir: string;
  /** `s3://bucket/prefix` or `file:///path`; undefined means `dataDir`. */
  storageUrl?: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean };
}

/** Create the configured {@link ObjectStore}. Does no I/O. */
export function createStore(cfg: StoreConfig): ObjectStore {
  const url = cfg.storageUrl?.trim();
  if (!url) return new LocalObjectStore(cfg.dataDir);
  if (url.startsWith('file:')) return new LocalObjectStore(fileURLToPath(url));
  if (url.startsWith('s3://')) throw new NonRetryableError('S3 storage is not built yet');
  throw new ValidationError(`unsupported storage URL "${url}" (expected s3://bucket/prefix or file:///path)`, { field: 'STORAGE_URL' });
}
