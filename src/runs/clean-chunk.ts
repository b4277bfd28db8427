/**
 * A chunk job: read rows [offset, offset+limit) of the raw file, clean them in
 * batches, write the chunk's part file atomically (a re-run overwrites its own
 * part, so rows are never duplicated) and return a small summary.
 */
import type { Job } from 'bullmq';
import type { ChunkJobData, ChunkResult } from '../../queues/catalog';
import type { RowCleaner } from '../cleaning/types';
import type { Resources } from '../context';
import { workerId } from '../metrics/heartbeat';
import type { TaskDef } from '../resources/schemas';
import { readParquet, writeParquet } from '../storage/parquet';
import type { ProcessedRow, RawRow } from '../types';

/** How a chunk gets its cleaner; the worker supplies one that knows the LLM setup. */
export type CleanerFactory = (task: TaskDef, ctx: { runId: string; chunkId: string }) => RowCleaner;

function parseMetadata(m: string | null): Record<string, unknown> | null {
  if (!m) return null;
  try {
    const v: unknown = JSON.parse(m);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function* batches(rows: AsyncIterable<RawRow>, size: number): AsyncGenerator<RawRow[]> {
  let batch: RawRow[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Clean one chunk and publish its part file. */
export async function cleanChunk(res: Resources, job: Job<ChunkJobData>, task: TaskDef, makeCleaner: CleanerFactory): Promise<ChunkResult> {
  const d = job.data;
  const started = Date.now();
  const cleaner = makeCleaner(task, { runId: d.runId, chunkId: job.id ?? `${d.runId}-${d.chunkIndex}` });
  // Rules are cheap: big batches. LLM batches are sized so every in-flight request has work.
  const batchSize = task.engine === 'llm' ? Math.max(task.batch_size * (task.concurrency ?? res.config.llm.concurrency) * 2, task.batch_size) : 2000;
  let rows = 0;
  let cleaned = 0;
  let failed = 0;
  async function* processed(): AsyncGenerator<ProcessedRow> {
    const raw = readParquet(res.store, d.rawKey, { offset: d.offset, limit: d.limit }) as AsyncIterable<RawRow>;
    for await (const batch of batches(raw, batchSize)) {
      const out = await cleaner.clean(batch.map((r) => ({ id: r.id, text: r.raw_text, metadata: parseMetadata(r.metadata) })));
      if (out.length !== batch.length) throw new Error(`cleaner returned ${out.length} results for ${batch.length} rows`);
      const at = new Date();
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        const o = out[i]!;
        if (o.status === 'cleaned') cleaned++;
        else failed++;
        yield { ...r, cleaned_text: o.cleaned_text, llm_model: o.llm_model, cleaning_task: task.task_name, processed_at: at, status: o.status, error: o.error };
      }
      rows += batch.length;
      await job.updateProgress({ rows, of: d.limit });
    }
  }
  const part = await writeParquet(res.store, d.partKey, 'part', processed(), {
    kind: 'part',
    runId: d.runId,
    pipeline: d.pipeline,
    inputs: [d.rawKey],
    jobIds: job.id ? [job.id] : [],
  });
  if (rows !== d.limit) throw new Error(`chunk ${d.chunkIndex} read ${rows} rows from ${d.rawKey}, expected ${d.limit}`);
  await res.catalog.record(part);
  const llm = cleaner.usage();
  await res.runs.applyChunk(d.runId, d.chunkIndex, { rows, cleaned, failed, llm });
  const result: ChunkResult = { chunkIndex: d.chunkIndex, partKey: d.partKey, rows, cleaned, failed, durationMs: Date.now() - started, worker: workerId(), llm };
  await job.log(`chunk ${d.chunkIndex}: ${rows} rows, ${cleaned} cleaned, ${failed} failed in ${result.durationMs} ms`);
  return result;
}
