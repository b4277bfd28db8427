/** Tiny row builders for the quality tests. */
import type { ProcessedRow, RawRow } from '../../../src/types';
import { QualityAccumulator, qualityConfigSchema, type QualityConfigInput, type QualityResult, type Stage } from '../../../src/quality';

export const NOW = new Date('2026-11-22T02:00:00Z');

export function raw(id: number, text: string | null, extra: Partial<RawRow> = {}): RawRow {
  return { id, source: 'sample', raw_text: text, created_at: new Date(NOW.getTime() - 3_600_000), metadata: null, ...extra };
}

export function processed(id: number, text: string | null, cleaned: string | null, extra: Partial<ProcessedRow> = {}): ProcessedRow {
  return {
    ...raw(id, text),
    cleaned_text: cleaned,
    llm_model: 'fake-model',
    cleaning_task: 'normalize_text',
    processed_at: NOW,
    status: cleaned === null ? 'failed' : 'cleaned',
    error: cleaned === null ? 'model refused' : null,
    ...extra,
  };
}

/** Run rows through an accumulator. */
export function check(
  config: QualityConfigInput,
  rows: Array<RawRow | ProcessedRow>,
  opts: { stage?: Stage; engine?: 'rules' | 'llm'; schemaVersion?: number } = {},
): QualityResult {
  const acc = new QualityAccumulator(qualityConfigSchema.parse(config), opts.stage ?? 'raw', {
    now: NOW,
    engine: opts.engine ?? 'rules',
    schemaVersion: opts.schemaVersion,
  });
  for (const r of rows) acc.add(r);
  return acc.finish();
}

/** The named check of a result; throws if it did not run. */
export function named(result: QualityResult, name: string) {
  const c = result.checks.find((x) => x.name === name);
  if (!c) throw new Error(`check ${name} did not run; ran: ${result.checks.map((x) => x.name).join(', ')}`);
  return c;
}
