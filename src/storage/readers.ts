/**
 * Generic readers for input files of any schema (used by the `file` collector).
 * These are the only places outside parquet.ts / csv.ts that parse file bytes.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { ParquetReader } from 'parquetjs-lite';
import { ValidationError } from '../errors';
import { applyParquetShim, int64ToJs } from './parquet-shim';

/** Recursively turn BigInt values into numbers (when safe) or strings. */
function normalizeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return int64ToJs(v);
  if (v === null || v === undefined || v instanceof Date || Buffer.isBuffer(v)) return v ?? null;
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = normalizeValue(x);
    return out;
  }
  return v;
}

/** Open a Parquet file, turning library failures into a ValidationError naming the file. */
export async function openParquetFile(localPath: string, name = localPath): Promise<ParquetReader> {
  applyParquetShim();
  try {
    return await ParquetReader.openFile(localPath);
  } catch (err) {
    const code = (err as { code?: string } | null)?.code;
    if (code === 'ENOENT') throw new ValidationError('file does not exist', { file: name, cause: err });
    throw new ValidationError(`not a valid Parquet file (${describe(err)})`, { file: name, cause: err });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Stream the records of a local Parquet file of any schema, row group by row group.
 * INT64 values become numbers when safe, else decimal strings; timestamps become Dates;
 * null columns are present as `null`.
 * @throws ValidationError naming the file when it is not valid Parquet.
 */
export async function* readParquetRecords(localPath: string): AsyncIterable<Record<string, unknown>> {
  const reader = await openParquetFile(localPath);
  try {
    // The library leaves null columns out of a record; callers expect every column present.
    const columns = Object.keys(reader.getSchema().fields);
    const cursor = reader.getCursor();
    for (;;) {
      let group: Record<string, unknown>[] | null;
      try {
        group = await cursor.nextRowGroup();
      } catch (err) {
        throw new ValidationError(`not a valid Parquet file (${describe(err)})`, { file: localPath, cause: err });
      }
      if (!group) break;
      for (const rec of group) {
        for (const c of columns) if (!(c in rec)) rec[c] = null;
        yield normalizeValue(rec) as Record<string, unknown>;
      }
    }
  } finally {
    await reader.close();
  }
}

/** Options for {@link readCsvRecords}. */
export interface CsvReadOptions {
  /** Field delimiter. Default `,`. */
  delimiter?: string;
}

/**
 * Stream the records of a local CSV file with a header row. A UTF-8 BOM is tolerated.
 * Values stay strings; empty fields are empty strings.
 * @throws ValidationError naming the file on malformed CSV.
 */
export async function* readCsvRecords(localPath: string, opts: CsvReadOptions = {}): AsyncIterable<Record<string, string>> {
  const parser = parse({ columns: true, bom: true, delimiter: opts.delimiter ?? ',', skip_empty_lines: true });
  const input = createReadStream(localPath);
  // pipe() does not forward source errors; without this a missing file would hang the loop.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const rec of parser) yield rec as Record<string, string>;
  } catch (err) {
    const code = (err as { code?: string } | null)?.code;
    if (code === 'ENOENT') throw new ValidationError('file does not exist', { file: localPath, cause: err });
    throw new ValidationError(`not a valid CSV file (${describe(err)})`, { file: localPath, cause: err });
  } finally {
    input.destroy();
  }
}
