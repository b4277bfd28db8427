/** Checks across rows: duplicates, near-duplicates, failed-row ratio. */
import type { ProcessedRow, RawRow } from '../../types';
import { createDeduper } from '../dedupe';
import type { CheckResult, RowCheck, Stage } from '../types';
import { type CheckEnv, FailingSample, RatioCounter, clampScore, pct, severityOf } from './common';

/**
 * `duplicates` (and `near_duplicates` when `near`): counts repeated texts
 * ({@link dedupeText}) with the same hashing as finalize's deduper, so the
 * numbers agree. These report rather than gate: with `dedupe`, finalize removes them.
 */
export function duplicateChecks(env: CheckEnv, opts: { near: boolean; removed: boolean }): { add: RowCheck['add']; finish(): CheckResult[] } {
  const deduper = createDeduper({ near: opts.near });
  const exactSample = new FailingSample();
  const nearSample = new FailingSample();
  const column = env.stage === 'raw' ? 'raw_text' : 'cleaned_text';
  const fate = opts.removed ? 'removed by dedupe in finalize' : 'kept: dedupe is off';
  const result = (name: string, count: number, seen: number, sample: FailingSample, what: string): CheckResult => {
    const ratio = seen === 0 ? 0 : count / seen;
    return {
      name,
      stage: env.stage,
      passed: true,
      score: clampScore(1 - ratio),
      severity: severityOf(name, env),
      message: `${count} of ${seen} non-null texts are ${what} (${pct(ratio)}; ${fate})`,
      details: { rows: seen, duplicates: count, unique: seen - count, ratio, removed: opts.removed },
      failing: sample.rows,
    };
  };
  return {
    add({ row, id }) {
      const v = deduper.classify(dedupeText(row as RawRow | ProcessedRow, env.stage));
      if (v === 'duplicate') exactSample.push(id, `${column} repeats an earlier row`);
      else if (v === 'near_duplicate') nearSample.push(id, `${column} repeats an earlier row after normalization`);
    },
    finish() {
      const s = deduper.stats();
      const out = [result('duplicates', s.duplicates, s.seen, exactSample, 'exact duplicates')];
      if (opts.near) out.push(result('near_duplicates', s.nearDuplicates, s.seen, nearSample, 'near-duplicates'));
      return out;
    },
  };
}

/**
 * The text deduplication compares: `raw_text` at the raw stage; at the processed
 * stage `cleaned_text` of cleaned rows, and null for failed rows (which are
 * never dropped). Finalize should pass the same to its deduper.
 */
export function dedupeText(row: RawRow | ProcessedRow, stage: Stage): string | null {
  if (stage === 'raw') return typeof row.raw_text === 'string' ? row.raw_text : null;
  const p = row as ProcessedRow;
  return p.status === 'cleaned' && typeof p.cleaned_text === 'string' ? p.cleaned_text : null;
}

/** `failed_ratio`: share of rows the cleaning step marked `failed`. */
export function failedRatioCheck(env: CheckEnv, maxFailedRatio: number): RowCheck {
  const counter = new RatioCounter('failed_ratio', env, maxFailedRatio);
  return {
    add({ row, id }) {
      counter.observe(id, row.status === 'failed' ? `cleaning failed: ${truncate(row.error)}` : null);
    },
    finish: () => counter.result('rows failed cleaning'),
  };
}

function truncate(v: unknown): string {
  const s = typeof v === 'string' && v ? v : 'no error recorded';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
