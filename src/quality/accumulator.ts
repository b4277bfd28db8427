/**
 * The streaming quality gate: feed rows one at a time with `add`, then
 * `finish` returns every check's result and the overall verdict. State is
 * bounded (counters, 20 sampled failing rows per check, 8-byte hashes for
 * duplicate detection), so a 1M-row run needs a few tens of MB at most.
 */
import type { ProcessedRow, RawRow } from '../types';
import { type QualityConfig, type QualityOverrides, llmChecksSchema, mergeQualityConfig } from './config';
import type { CheckEnv } from './checks/common';
import { duplicateChecks, failedRatioCheck } from './checks/rows';
import { columnTypesCheck, requiredColumnsCheck } from './checks/structure';
import { freshnessCheck, metadataCheck, nullRatioCheck } from './checks/values';
import { llmOutputChecks } from './checks/llm-output';
import type { CheckResult, QualityResult, RowContext, Stage } from './types';

/** Options of a {@link QualityAccumulator}. */
export interface QualityAccumulatorOptions {
  /** The reference time for freshness. */
  now: Date;
  /** The task's engine; LLM output checks run only for `llm` at the processed stage. */
  engine: 'rules' | 'llm';
  /** Per-task overrides merged over the pipeline config. */
  taskQuality?: Partial<QualityConfig> | QualityOverrides;
  /** Schema version from the file's sidecar; a version other than the current one fails `column_types`. */
  schemaVersion?: number;
}

interface Part {
  add(ctx: RowContext): void;
  finish(): CheckResult | CheckResult[];
}

/** Parse the metadata column once per row: object, null, or undefined when it is not a JSON object. */
function parseMeta(v: unknown): Record<string, unknown> | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return undefined;
  }
  if (parsed === null) return null;
  return typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** The per-column null limits the config asks for. */
function nullLimits(cfg: QualityConfig): Record<string, number> | null {
  const m = cfg.max_null_ratio;
  if (m === undefined) return null;
  if (typeof m === 'object') return m;
  const cols = cfg.required_columns.length ? cfg.required_columns : ['raw_text'];
  return Object.fromEntries(cols.map((c) => [c, m]));
}

/** Streaming quality checks for one stage of a run. */
export class QualityAccumulator {
  /** The merged configuration the checks use. */
  readonly config: QualityConfig;
  private readonly parts: Part[] = [];
  private rows = 0;
  private finished = false;

  constructor(
    config: QualityConfig,
    readonly stage: Stage,
    opts: QualityAccumulatorOptions,
  ) {
    const cfg = mergeQualityConfig(config, opts.taskQuality);
    this.config = cfg;
    const env: CheckEnv = { stage, warn: cfg.warn };
    const p = this.parts;
    if (cfg.required_columns.length) p.push(requiredColumnsCheck(env, cfg.required_columns));
    if (cfg.check_types) p.push(columnTypesCheck(env, opts.schemaVersion));
    const limits = nullLimits(cfg);
    if (limits) p.push(nullRatioCheck(env, limits));
    p.push(duplicateChecks(env, { near: cfg.near_dedupe, removed: cfg.dedupe || cfg.near_dedupe }));
    if (Object.keys(cfg.metadata).length) p.push(metadataCheck(env, cfg.metadata));
    if (cfg.freshness_hours !== undefined) p.push(freshnessCheck(env, opts.now, cfg.freshness_hours, cfg.max_stale_ratio));
    if (stage === 'processed') {
      p.push(failedRatioCheck(env, cfg.max_failed_ratio ?? 1));
      if (opts.engine === 'llm') p.push(llmOutputChecks(env, cfg.llm_checks ?? llmChecksSchema.parse({})));
    }
  }

  /** Check one row. */
  add(row: RawRow | ProcessedRow): void {
    if (this.finished) throw new Error('QualityAccumulator.add called after finish');
    this.rows++;
    const r = row as unknown as RowContext['row'];
    const ctx: RowContext = { row: r, id: Number.isSafeInteger(r.id) ? (r.id as number) : this.rows, meta: parseMeta(r.metadata) };
    for (const part of this.parts) part.add(ctx);
  }

  /** Finish every check and compute the verdict. Call once. */
  finish(): QualityResult {
    this.finished = true;
    const checks = this.parts.flatMap((p) => p.finish());
    const score = checks.length ? checks.reduce((s, c) => s + c.score, 0) / checks.length : 1;
    const fatal = checks.some((c) => !c.passed && c.severity === 'fatal');
    const warnings = checks.filter((c) => !c.passed && c.severity === 'warn').map((c) => `${c.name}: ${c.message}`);
    const minScore = this.config.min_score;
    return { stage: this.stage, passed: !fatal && score >= minScore, score: round(score), minScore, checks, warnings, rows: this.rows };
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Why a stage failed, in one line naming the checks, e.g.
 * `raw quality gate failed: null_ratio (null/empty ratio too high: raw_text 40.0% > 10.0%)`.
 * Null when it passed.
 */
export function qualityFailureReason(result: QualityResult): string | null {
  if (result.passed) return null;
  const failed = result.checks.filter((c) => !c.passed && c.severity === 'fatal');
  const parts = failed.map((c) => `${c.name} (${c.message})`);
  if (!failed.length) parts.push(`score ${result.score.toFixed(3)} is below min_score ${result.minScore}`);
  return `${result.stage} quality gate failed: ${parts.join('; ')}`;
}
