/**
 * Step 3 of a run: merge the chunk parts (streaming, in chunk order) into the
 * processed Parquet file and, in the same pass, into a pending CSV for
 * analysts (duplicates dropped when the pipeline asks). The quality gate then
 * decides: the CSV is published only if the processed data passes; otherwise
 * it is dropped and nothing reaches output/.
 *
 * A chunk whose job failed for good has no part file; its rows are read back
 * from the raw file and kept, marked failed with the chunk's error.
 */
import type { Job } from 'bullmq';
import type { Resources } from '../context';
import type { Logger } from '../logger';
import { createDeduper, mergeQualityConfig, QualityAccumulator, type QualityResult } from '../quality';
import { openCsvWriter, type CsvWriter } from '../storage/csv';
import { partKey } from '../storage/names';
import { readParquet, writeParquet } from '../storage/parquet';
import type { ProcessedRow, RawRow, SidecarMeta } from '../types';
import type { EffectivePipeline } from './resolve';

/** Columns of the analysts' CSV, in order (the processed schema). */
export const CSV_COLUMNS = ['id', 'source', 'raw_text', 'created_at', 'metadata', 'cleaned_text', 'llm_model', 'cleaning_task', 'processed_at', 'status', 'error'] as const;

/** Inputs of the finalize step. */
export interface FinalizeInput {
  runId: string;
  rawKey: string;
  rows: number;
  chunks: number;
  chunkSize: number;
  processedKey: string;
  outputKey: string;
  logger: Logger;
}

/** What the merge produced. The CSV is still pending: `csv.finish()` publishes it, `csv.abort()` drops it. */
export interface MergeOutcome {
  processed: SidecarMeta;
  parts: string[];
  quality: QualityResult;
  csv: CsvWriter;
  rowsCleaned: number;
  rowsFailed: number;
  failedChunks: Array<{ chunkIndex: number; reason: string; cause: string }>;
  duplicatesRemoved: number;
}

/** Chunk index from a child job key such as `dataops:clean:<runId>-c00012`. */
export function chunkIndexFromKey(key: string): number | null {
  const m = /-c(\d+)$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** Deterministic child job id of a chunk. */
export function chunkJobId(runId: string, chunkIndex: number): string {
  return `${runId}-c${String(chunkIndex).padStart(5, '0')}`;
}

/** Merge parts into the processed file and a pending CSV, and gate the result. */
export async function mergeParts(res: Resources, job: Job, eff: EffectivePipeline, input: FinalizeInput): Promise<MergeOutcome> {
  const failures = await job.getIgnoredChildrenFailures().catch(() => ({}) as Record<string, string>);
  // Reasons recorded when chunks failed for good survive a re-finalize by another job (DLQ retry),
  // whose own ignored failures only cover the chunk it re-ran.
  const reasons = await res.runs.chunkFailures(input.runId);
  for (const [key, reason] of Object.entries(failures)) {
    const idx = chunkIndexFromKey(key);
    if (idx !== null) reasons.set(idx, reason);
  }
  const qa = new QualityAccumulator(eff.def.quality, 'processed', { now: new Date(), engine: eff.task.engine, taskQuality: eff.task.quality });
  const parts: string[] = [];
  const failedChunks: Array<{ chunkIndex: number; reason: string; cause: string }> = [];
  let rowsCleaned = 0;
  let rowsFailed = 0;
  let duplicatesRemoved = 0;
  const taskName = eff.task.task_name;
  // Task-level quality overrides apply to dedupe too.
  const q = mergeQualityConfig(eff.def.quality, eff.task.quality);
  const deduper = q.dedupe || q.near_dedupe ? createDeduper({ near: q.near_dedupe, expectedRows: input.rows }) : null;
  const csv = await openCsvWriter(res.store, input.outputKey, CSV_COLUMNS, {
    kind: 'output',
    runId: input.runId,
    pipeline: eff.def.name,
    source: eff.def.source,
    inputs: [input.processedKey],
    jobIds: job.id ? [job.id] : [],
  });

  async function* merged(): AsyncGenerator<ProcessedRow> {
    for (let i = 0; i < input.chunks; i++) {
      const key = partKey(input.runId, i);
      const offset = i * input.chunkSize;
      const limit = Math.min(input.chunkSize, input.rows - offset);
      let source: AsyncIterable<ProcessedRow>;
      if (await res.store.stat(key)) {
        parts.push(key);
        source = readParquet(res.store, key) as AsyncIterable<ProcessedRow>;
      } else {
        const cause = reasons.get(i) ?? 'no part file was written';
        const reason = `chunk ${i} failed: ${cause}`;
        failedChunks.push({ chunkIndex: i, reason, cause });
        source = markFailed(readParquet(res.store, input.rawKey, { offset, limit }) as AsyncIterable<RawRow>, taskName, reason);
      }
      for await (const row of source) {
        if (row.status === 'cleaned') rowsCleaned++;
        else rowsFailed++;
        qa.add(row);
        yield row;
        // Failed rows always reach the CSV so nobody loses sight of them; only cleaned text is deduplicated.
        if (deduper && row.status === 'cleaned' && deduper.isDuplicate(row.cleaned_text)) duplicatesRemoved++;
        else await csv.write(row as unknown as Record<string, unknown>);
      }
      if (i % 20 === 0) await job.updateProgress({ step: 'finalize', chunk: i, of: input.chunks });
    }
  }

  let processed: SidecarMeta;
  try {
    processed = await writeParquet(res.store, input.processedKey, 'processed', merged(), {
      kind: 'processed',
      runId: input.runId,
      pipeline: eff.def.name,
      source: eff.def.source,
      inputs: [input.rawKey, ...parts],
      jobIds: job.id ? [job.id] : [],
    });
    if (processed.rows !== input.rows) {
      throw new Error(`processed file has ${processed.rows} rows but ${input.rows} were collected`);
    }
  } catch (err) {
    await csv.abort();
    throw err;
  }
  for (const f of failedChunks) await res.runs.markChunkFailed(input.runId, f.chunkIndex, f.cause);
  return { processed, parts, quality: qa.finish(), csv, rowsCleaned, rowsFailed, failedChunks, duplicatesRemoved };
}

async function* markFailed(rows: AsyncIterable<RawRow>, task: string, reason: string): AsyncGenerator<ProcessedRow> {
  const at = new Date();
  for await (const r of rows) {
    yield { ...r, cleaned_text: null, llm_model: null, cleaning_task: task, processed_at: at, status: 'failed', error: reason };
  }
}
