/**
 * Parquet schemas of the raw and processed (and part) files, and the
 * conversions between JS rows and parquetjs-lite records.
 */
import { ParquetSchema, type ParquetFieldDef } from 'parquetjs-lite';
import { ValidationError } from '../errors';
import { PROCESSED_SCHEMA_VERSION, RAW_SCHEMA_VERSION, type ProcessedRow, type RawRow } from '../types';

/** The Parquet datasets the storage layer writes. Part files use the processed schema. */
export type ParquetKind = 'raw' | 'processed' | 'part';

/** Key/value metadata names stored in every file footer. */
export const META_KIND = 'dataops.kind';
export const META_SCHEMA_VERSION = 'dataops.schema_version';

// Statistics are off for timestamps (the library's statistics path crashes on
// them) and for free-text columns (min/max over long strings is slow and
// useless for pruning); ids keep them so DuckDB can skip row groups.
const snappy = (type: string, extra: Partial<ParquetFieldDef> = {}): ParquetFieldDef => ({ type, compression: 'SNAPPY', ...extra });

const RAW_FIELDS: Record<string, ParquetFieldDef> = {
  id: snappy('INT64'),
  source: snappy('UTF8', { statistics: false }),
  raw_text: snappy('UTF8', { optional: true, statistics: false }),
  created_at: snappy('TIMESTAMP_MILLIS', { statistics: false }),
  metadata: snappy('UTF8', { optional: true, statistics: false }),
};

const PROCESSED_FIELDS: Record<string, ParquetFieldDef> = {
  ...RAW_FIELDS,
  cleaned_text: snappy('UTF8', { optional: true, statistics: false }),
  llm_model: snappy('UTF8', { optional: true, statistics: false }),
  cleaning_task: snappy('UTF8', { statistics: false }),
  processed_at: snappy('TIMESTAMP_MILLIS', { statistics: false }),
  status: snappy('UTF8', { statistics: false }),
  error: snappy('UTF8', { optional: true, statistics: false }),
};

/** Column names of raw files, in file order. */
export const RAW_COLUMNS = Object.keys(RAW_FIELDS) as ReadonlyArray<keyof RawRow>;
/** Column names of processed and part files, in file order. */
export const PROCESSED_COLUMNS = Object.keys(PROCESSED_FIELDS) as ReadonlyArray<keyof ProcessedRow>;

/** Schema version a file of this kind is written with. */
export function schemaVersionOf(kind: ParquetKind): number {
  return kind === 'raw' ? RAW_SCHEMA_VERSION : PROCESSED_SCHEMA_VERSION;
}

/** A fresh parquetjs-lite schema for `kind`. */
export function parquetSchemaFor(kind: ParquetKind): ParquetSchema {
  return new ParquetSchema(kind === 'raw' ? RAW_FIELDS : PROCESSED_FIELDS);
}

/** Columns, and which may be null, for `kind`. */
export function columnsOf(kind: ParquetKind): { names: readonly string[]; optional: ReadonlySet<string> } {
  const fields = kind === 'raw' ? RAW_FIELDS : PROCESSED_FIELDS;
  return { names: Object.keys(fields), optional: new Set(Object.keys(fields).filter((k) => fields[k]!.optional)) };
}

/**
 * Check one row before it reaches the encoder, so a bad row fails with a
 * message naming the column instead of a bare string thrown by the library.
 */
export function checkRow(row: Record<string, unknown>, kind: ParquetKind, index: number, file: string): void {
  const { names, optional } = columnsOf(kind);
  for (const name of names) {
    const v = row[name];
    if (v === null || v === undefined) {
      if (!optional.has(name)) throw new ValidationError(`row ${index}: column "${name}" is required`, { file, field: name });
      continue;
    }
    if (name === 'id') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ValidationError(`row ${index}: id must be a safe integer, got ${String(v)}`, { file, field: name });
    } else if (name === 'created_at' || name === 'processed_at') {
      if (!(v instanceof Date) || Number.isNaN(v.getTime()) || v.getTime() < 0) {
        throw new ValidationError(`row ${index}: ${name} must be a valid Date at or after 1970-01-01`, { file, field: name });
      }
    } else if (typeof v !== 'string') {
      throw new ValidationError(`row ${index}: column "${name}" must be a string, got ${typeof v}`, { file, field: name });
    } else if (name === 'status' && v !== 'cleaned' && v !== 'failed') {
      throw new ValidationError(`row ${index}: status must be "cleaned" or "failed", got "${v}"`, { file, field: name });
    }
  }
}

/** Turn a decoded record into a typed row: INT64 id → number, missing optional columns → null. */
export function fromRecord(rec: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = rec[name];
    out[name] = v === undefined ? null : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}
