/** Result types of the quality checks, and the shape every streaming check follows. */
import type { ProcessedRow, RawRow } from '../types';

/** Where the gate runs: on the raw file after collection, or on the processed file before the CSV. */
export type Stage = 'raw' | 'processed';

/** A sampled row that broke a check. */
export interface FailingRow {
  id: number;
  reason: string;
}

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  stage: Stage;
  passed: boolean;
  /** In [0, 1]; usually the share of checked rows that were fine. */
  score: number;
  /** `warn` when the check is listed under the config's `warn:`; a failed warn check does not fail the gate. */
  severity: 'fatal' | 'warn';
  message: string;
  details?: Record<string, unknown>;
  /** The first rows that broke the check (at most {@link FAILING_SAMPLE_SIZE}). */
  failing: FailingRow[];
}

/** The outcome of all checks at one stage. */
export interface QualityResult {
  stage: Stage;
  /** No fatal check failed and `score >= min_score`. */
  passed: boolean;
  /** Mean of the check scores (1 when no check ran). */
  score: number;
  /** The `min_score` the verdict used. */
  minScore: number;
  checks: CheckResult[];
  /** One line per failed warn-only check. */
  warnings: string[];
  rows: number;
}

/** How many failing rows a check keeps for the report. */
export const FAILING_SAMPLE_SIZE = 20;

/** A row as the accumulator sees it: a raw or processed row, possibly malformed. */
export type AnyRow = (RawRow | ProcessedRow) & Record<string, unknown>;

/** What every check gets for each row; metadata is parsed once per row. */
export interface RowContext {
  row: Partial<ProcessedRow> & Record<string, unknown>;
  /** `row.id` when it is a safe integer, else the 1-based position of the row. */
  id: number;
  /** Parsed metadata object; null when the column is null; undefined when it is not a JSON object. */
  meta: Record<string, unknown> | null | undefined;
}

/** A streaming check: sees each row once and keeps bounded state. */
export interface RowCheck {
  add(ctx: RowContext): void;
  finish(): CheckResult;
}
