/**
 * Read raw, processed and part Parquet files row group by row group, skipping
 * whole row groups before the requested offset without decoding them.
 */
import { ValidationError } from '../errors';
import type { ProcessedRow, RawRow } from '../types';
import type { ObjectStore } from './object-store';
import { columnsOf, fromRecord, META_KIND, META_SCHEMA_VERSION, schemaVersionOf, type ParquetKind } from './parquet-schemas';
import { openStoredParquet } from './parquet-open';
import type { ParquetReader } from 'parquetjs-lite';

/** What the footer of a Parquet file says. */
export interface ParquetInfo {
  rows: number;
  kind?: string;
  schemaVersion?: number;
  /** Rows in each row group, in file order. */
  rowGroups: number[];
}

/** Options for {@link readParquet}: rows `[offset, offset + limit)`. */
export interface ParquetReadOptions {
  offset?: number;
  limit?: number;
}

/**
 * Check that a file's kind and schema version are ones this build reads.
 * @returns the file's kind.
 * @throws ValidationError naming the file when the version is missing, older or newer.
 */
export function assertSchemaVersion(info: { kind?: string; schemaVersion?: number }, file: string): ParquetKind {
  const kind = info.kind;
  if (kind !== 'raw' && kind !== 'processed' && kind !== 'part') {
    throw new ValidationError(`not a dataops Parquet file (${META_KIND} is ${kind === undefined ? 'missing' : `"${kind}"`})`, { file, field: META_KIND });
  }
  const supported = schemaVersionOf(kind);
  const v = info.schemaVersion;
  if (v === undefined || !Number.isInteger(v)) {
    throw new ValidationError(`schema version is missing or unreadable; this build reads ${kind} schema version ${supported}`, { file, field: META_SCHEMA_VERSION });
  }
  if (v !== supported) {
    const rel = v > supported ? 'newer than' : 'older than';
    throw new ValidationError(`${kind} schema version ${v} is ${rel} the supported version ${supported}`, { file, field: META_SCHEMA_VERSION });
  }
  return kind;
}

function infoOf(reader: ParquetReader): ParquetInfo {
  const md = reader.getMetadata();
  const version = md[META_SCHEMA_VERSION];
  return {
    rows: Number(reader.metadata.num_rows),
    kind: md[META_KIND],
    schemaVersion: version === undefined ? undefined : Number(version),
    rowGroups: reader.metadata.row_groups.map((g) => Number(g.num_rows)),
  };
}

/**
 * Footer facts of a stored Parquet file, after checking its schema version.
 * @throws ValidationError naming the file if it is not valid Parquet or its version is unsupported.
 */
export async function readParquetInfo(store: ObjectStore, key: string): Promise<ParquetInfo> {
  const { reader, close } = await openStoredParquet(store, key);
  try {
    const info = infoOf(reader);
    assertSchemaVersion(info, store.uri(key));
    return info;
  } finally {
    await close();
  }
}

function checkRange(opts: ParquetReadOptions): { offset: number; limit: number } {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError(`offset must be a non-negative integer, got ${offset}`, { field: 'offset' });
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 0)) {
    throw new ValidationError(`limit must be a non-negative integer, got ${limit}`, { field: 'limit' });
  }
  return { offset, limit };
}

/**
 * Stream the rows `[offset, offset + limit)` of a raw, processed or part file.
 * Row groups before `offset` are skipped using the footer's row counts.
 * @throws ValidationError naming the file if it is corrupt or of an unsupported schema version.
 */
export function readParquet(store: ObjectStore, key: string, opts: ParquetReadOptions = {}): AsyncIterable<RawRow | ProcessedRow> {
  return readRows(store, key, opts, null);
}

async function* readRows(
  store: ObjectStore,
  key: string,
  opts: ParquetReadOptions,
  accept: readonly ParquetKind[] | null,
): AsyncIterable<RawRow | ProcessedRow> {
  const { offset, limit } = checkRange(opts);
  const file = store.uri(key);
  const { reader, close } = await openStoredParquet(store, key);
  try {
    const info = infoOf(reader);
    const kind = assertSchemaVersion(info, file);
    if (accept && !accept.includes(kind)) {
      throw new ValidationError(`is a ${kind} file; expected ${accept.join(' or ')}`, { file, field: META_KIND });
    }
    const { names } = columnsOf(kind);
    const cursor = reader.getCursor();
    let start = 0; // row index of the first row in the current group
    let group = 0;
    while (group < info.rowGroups.length && start + info.rowGroups[group]! <= offset) start += info.rowGroups[group++]!;
    cursor.rowGroupIndex = group;
    let left = limit;
    while (left > 0) {
      let recs: Record<string, unknown>[] | null;
      try {
        recs = await cursor.nextRowGroup();
      } catch (err) {
        throw new ValidationError(`not a valid Parquet file (row group ${cursor.rowGroupIndex}: ${err instanceof Error ? err.message : String(err)})`, { file, cause: err });
      }
      if (!recs) break;
      const from = Math.max(0, offset - start);
      start += recs.length;
      for (let i = from; i < recs.length && left > 0; i++, left--) yield fromRecord(recs[i]!, names) as unknown as RawRow | ProcessedRow;
    }
  } finally {
    await close();
  }
}

/** {@link readParquet} for raw files; any other kind is a ValidationError. */
export function readRawRows(store: ObjectStore, key: string, opts?: ParquetReadOptions): AsyncIterable<RawRow> {
  return readRows(store, key, opts ?? {}, ['raw']) as AsyncIterable<RawRow>;
}

/** {@link readParquet} for processed and part files; a raw file is a ValidationError. */
export function readProcessedRows(store: ObjectStore, key: string, opts?: ParquetReadOptions): AsyncIterable<ProcessedRow> {
  return readRows(store, key, opts ?? {}, ['processed', 'part']) as AsyncIterable<ProcessedRow>;
}
