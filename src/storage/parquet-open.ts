/**
 * Open a stored Parquet file for reading. Local files are opened in place;
 * remote objects are read with byte-range requests (footer, then only the
 * column chunks of the row groups asked for), so a chunk job never downloads
 * the whole file.
 */
import { ParquetEnvelopeReader, ParquetReader } from 'parquetjs-lite';
import { NotFoundError, ValidationError } from '../errors';
import type { ObjectStore } from './object-store';
import { applyParquetShim } from './parquet-shim';
import { openParquetFile } from './readers';

/** A reader plus the function that releases everything it holds. */
export interface OpenedParquet {
  reader: ParquetReader;
  close(): Promise<void>;
}

async function readRange(store: ObjectStore, key: string, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const c of await store.createReadStream(key, { start: offset, end: offset + length - 1 })) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/**
 * Open `key` in `store` as Parquet.
 * @throws NotFoundError if missing; ValidationError naming the file if it is not valid Parquet.
 */
export async function openStoredParquet(store: ObjectStore, key: string): Promise<OpenedParquet> {
  const file = store.uri(key);
  if (store.kind === 'local') {
    const handle = await store.localCopy(key);
    try {
      const reader = await openParquetFile(handle.path, file);
      return { reader, close: async () => { await reader.close(); await handle.release(); } };
    } catch (err) {
      await handle.release();
      throw err;
    }
  }
  applyParquetShim();
  const info = await store.stat(key);
  if (!info) throw new NotFoundError(`object "${key}" not found (${file})`);
  // Magic + footer length + magic; anything shorter cannot be Parquet and would make negative ranges.
  if (info.size < 12) throw new ValidationError(`not a valid Parquet file (only ${info.size} bytes)`, { file });
  const envelope = new ParquetEnvelopeReader((offset, length) => readRange(store, key, offset, length), () => undefined, info.size);
  try {
    const reader = await ParquetReader.openEnvelopeReader(envelope);
    return { reader, close: () => reader.close() };
  } catch (err) {
    throw new ValidationError(`not a valid Parquet file (${err instanceof Error ? err.message : String(err)})`, { file, cause: err });
  }
}
