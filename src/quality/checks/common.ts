/** Shared bookkeeping for checks that count bad rows against a ratio threshold. */
import { FAILING_SAMPLE_SIZE, type CheckResult, type FailingRow, type Stage } from '../types';

/** Settings every check gets from the accumulator. */
export interface CheckEnv {
  stage: Stage;
  /** Names listed under the config's `warn:`. */
  warn: readonly string[];
}

/** Keeps the first failing rows. */
export class FailingSample {
  readonly rows: FailingRow[] = [];
  push(id: number, reason: string): void {
    if (this.rows.length < FAILING_SAMPLE_SIZE) this.rows.push({ id, reason });
  }
}

/** Format a ratio as a percentage for messages. */
export function pct(r: number): string {
  return `${(r * 100).toFixed(r > 0 && r < 0.001 ? 3 : 1)}%`;
}

/** Clamp a score into [0, 1] (and map NaN to 0). */
export function clampScore(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Counts applicable and bad rows; passes while bad/applicable stays within the threshold. */
export class RatioCounter {
  applicable = 0;
  bad = 0;
  readonly sample = new FailingSample();

  constructor(
    readonly name: string,
    private readonly env: CheckEnv,
    readonly threshold: number,
  ) {}

  /** Record one applicable row; `reason` null means the row is fine. */
  observe(id: number, reason: string | null): void {
    this.applicable++;
    if (reason !== null) {
      this.bad++;
      this.sample.push(id, reason);
    }
  }

  get ratio(): number {
    return this.applicable === 0 ? 0 : this.bad / this.applicable;
  }

  /** Build the result; `what` describes a bad row, e.g. "rows with empty output". */
  result(what: string, details: Record<string, unknown> = {}): CheckResult {
    const passed = this.ratio <= this.threshold;
    const message =
      this.applicable === 0
        ? `no rows to check for ${what}`
        : `${this.bad} of ${this.applicable} ${what} (${pct(this.ratio)}, limit ${pct(this.threshold)})`;
    return {
      name: this.name,
      stage: this.env.stage,
      passed,
      score: clampScore(1 - this.ratio),
      severity: severityOf(this.name, this.env),
      message,
      details: { rows: this.applicable, bad: this.bad, ratio: this.ratio, threshold: this.threshold, ...details },
      failing: this.sample.rows,
    };
  }
}

/** `warn` when the check is listed under `warn:`. */
export function severityOf(name: string, env: CheckEnv): 'fatal' | 'warn' {
  return env.warn.includes(name) ? 'warn' : 'fatal';
}

/**
 * A column's value: a top-level column, or `metadata.<field>` read from the
 * parsed metadata. `undefined` means absent.
 */
export function columnValue(row: Record<string, unknown>, meta: Record<string, unknown> | null | undefined, column: string): unknown {
  if (column.startsWith('metadata.')) {
    const field = column.slice('metadata.'.length);
    return meta ? meta[field] : undefined;
  }
  return row[column];
}
