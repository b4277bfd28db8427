/**
 * Open a stored Parquet file for reading. Local files are opened in place;
 * remote objects are read with byte-range requests: the tail (footer) once,
 * then one request per row group read (its column chunks coalesced, see
 * parquet-range.ts), so a chunk job never downloads the whole file and memory
 * stays bounded by one row group.
 */
import { ParquetEnvelopeReader, ParquetReader } from 'parquetjs-lite';
import { NotFoundError, ValidationError } from '../errors';
import type { ObjectStore } from './object-store';
import { applyParquetShim } from './parquet-shim';
import { CoalescingRangeReader, type ColumnChunkLocation } from './parquet-range';
import { openParquetFile } from './readers';

/** A reader plus the function that releases everything it holds. */
export interface OpenedParquet {
  reader: ParquetReader;
  close(): Promise<void>;
  /** Range requests made so far (remote objects only). */
  rangeRequests?(): number;
}

/** The envelope reader's row-group method, which the typings leave out. */
interface RowGroupReading {
  readRowGroup(schema: unknown, rowGroup: { columns: ColumnChunkLocation[] }, columnList: string[][]): Promise<unknown>;
}

/** Make each row group read fetch its bytes with one range request first, and drop them after decoding. */
function coalesceRowGroups(envelope: ParquetEnvelopeReader, ranges: CoalescingRangeReader): void {
  const env = envelope as unknown as RowGroupReading;
  const readRowGroup = env.readRowGroup.bind(env);
  env.readRowGroup = async (schema, rowGroup, columnList) => {
    try {
      await ranges.prefetchRowGroup(rowGroup.columns, columnList);
      return await readRowGroup(schema, rowGroup, columnList);
    } finally {
      ranges.dropRowGroup();
    }
  };
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
  const ranges = new CoalescingRangeReader(store, key, info.size);
  const envelope = new ParquetEnvelopeReader(ranges.read, () => undefined, info.size);
  coalesceRowGroups(envelope, ranges);
  try {
    await ranges.prefetchTail();
    const reader = await ParquetReader.openEnvelopeReader(envelope);
    return { reader, close: () => reader.close(), rangeRequests: () => ranges.requests };
  } catch (err) {
    throw new ValidationError(`not a valid Parquet file (${err instanceof Error ? err.message : String(err)})`, { file, cause: err });
  }
}
