/**
 * Write raw, processed and part Parquet files: rows stream into a temp file in
 * the store's scratch directory, which is published atomically, then the sidecar.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { ParquetWriter } from 'parquetjs-lite';
import { ValidationError } from '../errors';
import type { ProcessedRow, RawRow, SidecarMeta } from '../types';
import { removeQuietly, tempFileIn } from './fs-util';
import { assertSafeKey } from './keys';
import type { ObjectStore } from './object-store';
import { checkRow, META_KIND, META_SCHEMA_VERSION, parquetSchemaFor, schemaVersionOf, type ParquetKind } from './parquet-schemas';
import { applyParquetShim } from './parquet-shim';
import { buildSidecar, writeSidecar, type SidecarInput } from './sidecar';

/** Rows per row group unless the caller says otherwise (see docs/benchmarks.md). */
export const DEFAULT_ROW_GROUP_SIZE = 5_000;

/** Options for {@link writeParquet}. */
export interface ParquetWriteOptions {
  /** Rows per row group (the unit of buffering and of skipping on read). Default {@link DEFAULT_ROW_GROUP_SIZE}. */
  rowGroupSize?: number;
}

type Rows<T> = AsyncIterable<T> | Iterable<T>;

/**
 * Write `rows` as a Parquet file of `kind` under `key` (SNAPPY, data page v1),
 * then its sidecar. On any error nothing is left under `key` and the temp file is removed.
 * @returns the sidecar that was written.
 */
export async function writeParquet(
  store: ObjectStore,
  key: string,
  kind: 'raw',
  rows: Rows<RawRow>,
  meta: SidecarInput,
  opts?: ParquetWriteOptions,
): Promise<SidecarMeta>;
export async function writeParquet(
  store: ObjectStore,
  key: string,
  kind: 'processed' | 'part',
  rows: Rows<ProcessedRow>,
  meta: SidecarInput,
  opts?: ParquetWriteOptions,
): Promise<SidecarMeta>;
export async function writeParquet(
  store: ObjectStore,
  key: string,
  kind: ParquetKind,
  rows: Rows<RawRow | ProcessedRow>,
  meta: SidecarInput,
  opts?: ParquetWriteOptions,
): Promise<SidecarMeta>;
export async function writeParquet(
  store: ObjectStore,
  key: string,
  kind: ParquetKind,
  rows: Rows<RawRow | ProcessedRow>,
  meta: SidecarInput,
  opts: ParquetWriteOptions = {},
): Promise<SidecarMeta> {
  applyParquetShim();
  const safeKey = assertSafeKey(key);
  const file = store.uri(safeKey);
  const rowGroupSize = opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new ValidationError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`, { field: 'rowGroupSize' });
  }
  const temp = await tempFileIn(store.scratchDir(), path.basename(safeKey));
  let out: WriteStream | undefined;
  let published = false;
  try {
    out = createWriteStream(temp);
    await once(out, 'open');
    const writer = await ParquetWriter.openStream(parquetSchemaFor(kind), out, { useDataPageV2: false, rowGroupSize });
    writer.setMetadata(META_KIND, kind);
    writer.setMetadata(META_SCHEMA_VERSION, String(schemaVersionOf(kind)));
    let count = 0;
    for await (const row of rows) {
      checkRow(row as unknown as Record<string, unknown>, kind, count, file);
      await appendRow(writer, row as unknown as Record<string, unknown>, count, file);
      count++;
    }
    await writer.close();
    if (!out.closed) await once(out, 'close');
    const { bytes, sha256 } = await store.putFile(safeKey, temp);
    published = true;
    const sidecar = buildSidecar(store, safeKey, meta, { format: 'parquet', rows: count, bytes, sha256, schemaVersion: schemaVersionOf(kind) });
    await writeSidecar(store, sidecar);
    return sidecar;
  } catch (err) {
    if (out && !out.closed) {
      // end(), not destroy(): the library has unawaited writes in flight (the
      // header), and destroying under them raises an unhandled rejection.
      const closed = once(out, 'close').catch(() => undefined);
      out.end();
      await closed;
    }
    await removeQuietly(temp);
    if (published) await store.delete(safeKey).catch(() => undefined);
    throw err;
  }
}

async function appendRow(writer: ParquetWriter, row: Record<string, unknown>, index: number, file: string): Promise<void> {
  try {
    await writer.appendRow(row);
  } catch (err) {
    // parquetjs-lite throws bare strings; give the caller a real error that names the file.
    if (err instanceof Error) throw err;
    throw new ValidationError(`row ${index}: cannot encode (${String(err)})`, { file, cause: err });
  }
}
