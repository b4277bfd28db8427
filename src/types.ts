/**
 * Shared types of the data plane.
 *
 * Glossary:
 * - **pipeline**: a named definition in `resources/pipelines.yaml` (source, options, task, schedule, quality, output).
 * - **run**: one execution of a pipeline; one parent job on the `pipeline` queue whose id is the runId.
 * - **source**: a collector plugin (`sample`, `file`, `http`, `tmdb`) that yields rows.
 * - **task**: a cleaning definition in `resources/tasks/<name>.yaml` (rules and/or LLM).
 * - **chunk**: a contiguous row range of a run's raw file, cleaned by one `clean` job.
 * - **part**: the Parquet file one chunk writes under the run's folder; finalize merges the parts.
 * - **dataset**: any data file the system writes (raw, processed, output CSV, report), with its sidecar.
 */

/** Schema version of raw Parquet files. Bump when the raw columns change. */
export const RAW_SCHEMA_VERSION = 1;
/** Schema version of processed Parquet files (and of part files). */
export const PROCESSED_SCHEMA_VERSION = 1;

/** One row as a collector yields it; the run adds `source` and fills defaults. */
export interface CollectedRow {
  /** Stable id from the source when it has one; otherwise the run numbers rows 1..N. */
  id?: number;
  raw_text: string | null;
  /** When the source created the record; defaults to collection time. */
  created_at?: Date;
  /** Extra fields, stored as a JSON string column. */
  metadata?: Record<string, unknown> | null;
}

/** A row of a raw Parquet file (contract: id int64, source, raw_text, created_at timestamp, metadata JSON). */
export interface RawRow {
  id: number;
  source: string;
  raw_text: string | null;
  created_at: Date;
  /** JSON string, or null. */
  metadata: string | null;
}

/** Per-row cleaning outcome. A row that fails is kept and marked, never dropped. */
export type RowStatus = 'cleaned' | 'failed';

/** A row of a processed Parquet file: the raw columns plus the cleaning columns. */
export interface ProcessedRow extends RawRow {
  cleaned_text: string | null;
  llm_model: string | null;
  cleaning_task: string;
  processed_at: Date;
  status: RowStatus;
  error: string | null;
}

/** The kinds of dataset the catalog tracks. */
export type DatasetKind = 'raw' | 'part' | 'processed' | 'output' | 'report';

/** Contents of a `<file>.meta.json` sidecar. */
export interface SidecarMeta {
  /** Storage key relative to the data root, e.g. `raw/sample_20261122_020000.parquet`. */
  key: string;
  /** Absolute path (local) or s3:// URI. */
  uri: string;
  kind: DatasetKind;
  format: 'parquet' | 'csv' | 'json';
  rows: number;
  bytes: number;
  sha256: string;
  schemaVersion: number;
  createdAt: string;
  runId?: string;
  pipeline?: string;
  source?: string;
  /** Keys of the files this one was made from (lineage). */
  inputs: string[];
  /** Job ids that produced the file, when known. */
  jobIds?: string[];
}

/** LLM usage summed over requests. */
export interface LlmUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  tokens: number;
  costUsd: number;
  cacheHits: number;
}

/** An empty {@link LlmUsage}. */
export function emptyUsage(): LlmUsage {
  return { requests: 0, promptTokens: 0, completionTokens: 0, tokens: 0, costUsd: 0, cacheHits: 0 };
}

/** Add `b` into `a` in place and return `a`. */
export function addUsage(a: LlmUsage, b: Partial<LlmUsage>): LlmUsage {
  a.requests += b.requests ?? 0;
  a.promptTokens += b.promptTokens ?? 0;
  a.completionTokens += b.completionTokens ?? 0;
  a.tokens += b.tokens ?? 0;
  a.costUsd += b.costUsd ?? 0;
  a.cacheHits += b.cacheHits ?? 0;
  return a;
}
