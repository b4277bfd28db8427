/**
 * Step 3 of a run: merge the chunk parts (streaming, in chunk order) into the
 * processed Parquet file, run the quality gate, write the analysts' CSV, and
 * record the report and catalog entries.
 *
 * A chunk whose job failed for good has no part file; its rows are read back
 * from the raw file and kept, marked failed with the chunk's error.
 */
import type { Job } from 'bullmq';
import type { Resources } from '../context';
import type { Logger } from '../logger';
import { createDeduper, mergeQualityConfig, QualityAccumulator, type QualityResult } from '../quality';
import { writeCsv } from '../storage/csv';
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

/** What finalize produced. */
export interface FinalizeOutcome {
  processed: SidecarMeta;
  parts: string[];
  quality: QualityResult;
  csv?: SidecarMeta;
  rowsCleaned: number;
  rowsFailed: number;
  failedChunks: Array<{ chunkIndex: number; reason: string }>;
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

/** Merge parts into the processed file and gate it. Does not write the CSV. */
export async function mergeParts(res: Resources, job: Job, eff: EffectivePipeline, input: FinalizeInput): Promise<Omit<FinalizeOutcome, 'csv' | 'duplicatesRemoved'>> {
  const failures = await job.getIgnoredChildrenFailures().catch(() => ({}) as Record<string, string>);
  const reasons = new Map<number, string>();
  for (const [key, reason] of Object.entries(failures)) {
    const idx = chunkIndexFromKey(key);
    if (idx !== null) reasons.set(idx, reason);
  }
  const qa = new QualityAccumulator(eff.def.quality, 'processed', { now: new Date(), engine: eff.task.engine, taskQuality: eff.task.quality });
  const parts: string[] = [];
  const failedChunks: Array<{ chunkIndex: number; reason: string }> = [];
  let rowsCleaned = 0;
  let rowsFailed = 0;
  const taskName = eff.task.task_name;

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
        const reason = `chunk ${i} failed: ${reasons.get(i) ?? 'no part file was written'}`;
        failedChunks.push({ chunkIndex: i, reason });
        source = markFailed(readParquet(res.store, input.rawKey, { offset, limit }) as AsyncIterable<RawRow>, taskName, reason);
      }
      for await (const row of source) {
        if (row.status === 'cleaned') rowsCleaned++;
        else rowsFailed++;
        qa.add(row);
        yield row;
      }
      if (i % 20 === 0) await job.updateProgress({ step: 'finalize', chunk: i, of: input.chunks });
    }
  }

  const processed = await writeParquet(res.store, input.processedKey, 'processed', merged(), {
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
  for (const f of failedChunks) await res.runs.markChunkFailed(input.runId, f.chunkIndex);
  return { processed, parts, quality: qa.finish(), rowsCleaned, rowsFailed, failedChunks };
}

async function* markFailed(rows: AsyncIterable<RawRow>, task: string, reason: string): AsyncGenerator<ProcessedRow> {
  const at = new Date();
  for await (const r of rows) {
    yield { ...r, cleaned_text: null, llm_model: null, cleaning_task: task, processed_at: at, status: 'failed', error: reason };
  }
}

/** Write the analysts' CSV from the processed file, dropping duplicates when the pipeline asks. */
export async function writeOutputCsv(
  res: Resources,
  job: Job,
  eff: EffectivePipeline,
  input: FinalizeInput,
  processed: SidecarMeta,
): Promise<{ csv: SidecarMeta; duplicatesRemoved: number }> {
  // Task-level quality overrides apply to dedupe too.
  const q = mergeQualityConfig(eff.def.quality, eff.task.quality);
  const deduper = q.dedupe || q.near_dedupe ? createDeduper({ near: q.near_dedupe }) : null;
  let duplicatesRemoved = 0;
  async function* rows(): AsyncGenerator<Record<string, unknown>> {
    for await (const row of readParquet(res.store, input.processedKey) as AsyncIterable<ProcessedRow>) {
      // Failed rows are always kept so nobody loses sight of them; only cleaned text is deduplicated.
      if (deduper && row.status === 'cleaned' && deduper.isDuplicate(row.cleaned_text)) {
        duplicatesRemoved++;
        continue;
      }
      yield row as unknown as Record<string, unknown>;
    }
  }
  const csv = await writeCsv(res.store, input.outputKey, rows(), CSV_COLUMNS, {
    kind: 'output',
    runId: input.runId,
    pipeline: eff.def.name,
    source: eff.def.source,
    inputs: [processed.key],
    jobIds: job.id ? [job.id] : [],
  });
  return { csv, duplicatesRemoved };
}
