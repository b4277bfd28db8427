/**
 * `file`: CSV, JSON array, JSONL and Parquet files from a path or glob under
 * `DATA_DIR/inbox`, streamed record by record. Without `id_column`, rows are
 * numbered 1..N across all matched files (in sorted path order).
 */
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { readCsvRecords, readParquetRecords } from '../storage/readers';
import type { CollectedRow } from '../types';
import { pathProblem, resolveInboxFiles } from './file-paths';
import { readJsonArray, readJsonLines } from './json-readers';
import { isPlainObject, toDate, toId, toJsonValue, toText } from './row-values';
import type { CollectContext, Collector } from './types';

const FORMATS = ['csv', 'json', 'jsonl', 'parquet'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = { '.csv': 'csv', '.tsv': 'csv', '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.parquet': 'parquet', '.pq': 'parquet' };
const column = z.string().min(1, { error: 'expected a column name' });

/** Options of the `file` collector. */
export const fileOptionsSchema = z
  .object({
    /** A file or glob relative to DATA_DIR/inbox, e.g. `reviews/*.csv`. */
    path: z.string({ error: 'expected a path relative to DATA_DIR/inbox' }).min(1).superRefine((p, ctx) => {
      const problem = pathProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** `auto` picks by extension: .csv .tsv .json .jsonl .ndjson .parquet. */
    format: z.enum([...FORMATS, 'auto']).default('auto'),
    /** CSV delimiter; default `,` (tab for .tsv). */
    delimiter: z.string().length(1, { error: 'expected one character' }).optional(),
    text_column: column.default('text'),
    id_column: column.optional(),
    created_at_column: column.optional(),
    /** Columns copied into metadata; default: every column not used above. */
    metadata_columns: z.array(column).optional(),
  })
  .strict();

/** Parsed options of the `file` collector. */
export type FileOptions = z.infer<typeof fileOptionsSchema>;

function formatOf(file: string, o: FileOptions, name: string): Format {
  if (o.format !== 'auto') return o.format;
  const f = BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!f) throw new ValidationError(`cannot tell the format of ${name} from its extension; set format to one of ${FORMATS.join(', ')}`, { field: 'options.format' });
  return f;
}

function records(file: string, format: Format, o: FileOptions, name: string): AsyncIterable<unknown> {
  if (format === 'parquet') return readParquetRecords(file);
  if (format === 'jsonl') return readJsonLines(file, name);
  if (format === 'json') return readJsonArray(file, name);
  const delimiter = o.delimiter ?? (path.extname(file).toLowerCase() === '.tsv' ? '\t' : ',');
  return readCsvRecords(file, { delimiter });
}

/** Column options that name a column (text, id, created_at), with the option each comes from. */
function wantedColumns(o: FileOptions): Array<[string, string]> {
  const out: Array<[string, string]> = [['text_column', o.text_column]];
  if (o.id_column) out.push(['id_column', o.id_column]);
  if (o.created_at_column) out.push(['created_at_column', o.created_at_column]);
  return out;
}

function missingColumn(field: string, col: string, name: string, columns: Iterable<string>): ValidationError {
  return new ValidationError(`column "${col}" not found in ${name}; columns: ${[...columns].join(', ')}`, { field: `options.${field}` });
}

function toRow(rec: Record<string, unknown>, o: FileOptions, nextId: number, where: string): CollectedRow {
  const row: CollectedRow = { raw_text: toText(rec[o.text_column]), id: nextId };
  if (o.id_column) {
    const id = mapped(() => toId(rec[o.id_column!]), where, 'id_column');
    if (id === undefined) throw new ValidationError(`${where}: the id column "${o.id_column}" is empty`, { field: 'options.id_column' });
    row.id = id;
  }
  if (o.created_at_column) {
    const created = mapped(() => toDate(rec[o.created_at_column!]), where, 'created_at_column');
    if (created) row.created_at = created;
  }
  const used = new Set([o.text_column, o.id_column, o.created_at_column]);
  const cols = o.metadata_columns ?? Object.keys(rec).filter((k) => !used.has(k));
  row.metadata = cols.length ? Object.fromEntries(cols.map((c) => [c, toJsonValue(rec[c])])) : null;
  return row;
}

function mapped<T>(fn: () => T, where: string, field: string): T {
  try {
    return fn();
  } catch (err) {
    throw new ValidationError(`${where}: ${(err as Error).message}`, { field: `options.${field}` });
  }
}

async function* collectFiles(o: FileOptions, ctx: CollectContext): AsyncGenerator<CollectedRow> {
  ctx.signal?.throwIfAborted();
  const files = await resolveInboxFiles(ctx.dataDir, o.path);
  const formats = files.map((f) => formatOf(f.path, o, f.name));
  ctx.logger.info('file collector matched files', { count: files.length });
  let n = 0;
  const wanted = wantedColumns(o);
  for (const [i, { path: file, name }] of files.entries()) {
    let inFile = 0;
    // JSON and Parquet records omit absent/null fields, so a column only counts as missing if no record has it.
    const unseen = new Map(wanted);
    const columns = new Set<string>();
    for await (const rec of records(file, formats[i]!, o, name)) {
      ctx.signal?.throwIfAborted();
      inFile++;
      if (!isPlainObject(rec)) throw new ValidationError(`record ${inFile} is not an object`, { file: name });
      if (unseen.size) {
        for (const [field, col] of unseen) if (col in rec) unseen.delete(field);
        for (const k of Object.keys(rec)) columns.add(k);
        const first = unseen.entries().next();
        if (formats[i] === 'csv' && !first.done) throw missingColumn(first.value[0], first.value[1], name, columns);
      }
      n++;
      yield toRow(rec, o, n, `${name} record ${inFile}`);
    }
    const first = unseen.entries().next();
    if (inFile > 0 && !first.done) throw missingColumn(first.value[0], first.value[1], name, columns);
  }
}

/** The `file` collector. */
export const fileCollector: Collector<FileOptions> = {
  name: 'file',
  description: 'CSV, JSON array, JSONL or Parquet files from a path or glob under DATA_DIR/inbox, streamed, with configurable text, id and created_at columns.',
  options: fileOptionsSchema,
  collect: collectFiles,
  // Refuse symlink escapes when the run is queued; files that do not exist yet may still arrive.
  preflight: async (o, ctx) => {
    await resolveInboxFiles(ctx.dataDir, o.path, { allowEmpty: true });
  },
};
