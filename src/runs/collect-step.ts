/**
 * Step 1 of a run: read the source through its collector and write the raw
 * Parquet file (streamed, atomic, with sidecar), checking raw-data quality on
 * the way so a bad source fails before any LLM money is spent.
 */
import type { Job } from 'bullmq';
import { getCollector } from '../collectors/registry';
import type { Resources } from '../context';
import type { Logger } from '../logger';
import { QualityAccumulator } from '../quality';
import type { QualityResult } from '../quality';
import { writeParquet } from '../storage/parquet';
import type { CollectedRow, RawRow, SidecarMeta } from '../types';
import type { EffectivePipeline } from './resolve';

/** What the collect step produced. */
export interface CollectOutcome {
  meta: SidecarMeta;
  quality: QualityResult;
}

/** Turn a collector's row into a raw row: fill the id, source, time and JSON metadata. */
export function toRawRow(r: CollectedRow, index: number, source: string, now: Date): RawRow {
  return {
    id: r.id ?? index,
    source,
    raw_text: r.raw_text ?? null,
    created_at: r.created_at ?? now,
    metadata: r.metadata == null ? null : JSON.stringify(r.metadata),
  };
}

/** Collect the source into `rawKey`. */
export async function collectToRaw(
  res: Resources,
  job: Job,
  eff: EffectivePipeline,
  ctx: { runId: string; rawKey: string; logger: Logger },
): Promise<CollectOutcome> {
  const { def, task, options } = eff;
  const collector = getCollector(def.source);
  const now = new Date();
  const qa = new QualityAccumulator(def.quality, 'raw', { now, engine: task.engine, taskQuality: task.quality });
  let n = 0;
  const log = ctx.logger;
  async function* rows(): AsyncGenerator<RawRow> {
    const source = collector.collect(options, {
      logger: log,
      env: res.config.env,
      dataDir: res.config.dataDir,
      onRetry: (info) => {
        log.warn('collector retrying', { attempt: info.attempt, waitMs: info.waitMs, error: info.error });
        void job.log(`collector retry ${info.attempt}: ${info.error} (waiting ${info.waitMs} ms)`);
      },
    });
    for await (const r of source) {
      n++;
      const row = toRawRow(r, n, def.source, now);
      qa.add(row);
      yield row;
      if (n % 20_000 === 0) {
        await job.updateProgress({ step: 'collect', rows: n });
        await res.runs.update(ctx.runId, { rowsCollected: n });
      }
    }
  }
  const meta = await writeParquet(res.store, ctx.rawKey, 'raw', rows(), {
    kind: 'raw',
    runId: ctx.runId,
    pipeline: def.name,
    source: def.source,
    inputs: [`source:${def.source}`],
    jobIds: job.id ? [job.id] : [],
  });
  return { meta, quality: qa.finish() };
}
