/**
 * The run report written to `reports/<runId>.json`: quality results of both
 * stages, counts, timings, LLM usage, sampled failing rows and output paths.
 */
import { type LlmUsage, addUsage, emptyUsage } from '../types';
import { qualityFailureReason } from './accumulator';
import type { QualityResult } from './types';

/** Row counts of a run. */
export interface RunCounts {
  rowsCollected: number;
  rowsCleaned: number;
  rowsFailed: number;
  /** Rows finalize dropped as duplicates (exact + near). */
  duplicatesRemoved: number;
  /** Rows in the processed file / CSV after dedupe. */
  rowsOutput: number;
}

/** A sampled failing row, tagged with the check and stage it broke. */
export interface ReportFailingRow {
  id: number;
  reason: string;
  check: string;
}

/** Contents of `reports/<runId>.json`. */
export interface RunReport {
  runId: string;
  pipeline: string;
  task: string;
  source: string;
  /** ISO time the report was built. */
  createdAt: string;
  /** The run state when the report was written (`completed` or `failed`). */
  state: string;
  /** The processed stage's score, else the raw stage's, else 0. */
  score: number;
  /** Every stage that ran passed its gate. */
  passed: boolean;
  stages: { raw?: QualityResult; processed?: QualityResult };
  counts: RunCounts;
  /** Milliseconds per step, e.g. `{ collect: 1200, clean: 50000, finalize: 900 }`. */
  timings: Record<string, number>;
  llm: LlmUsage;
  /** At most {@link REPORT_FAILING_SAMPLE} rows, from failed checks first. Ids only, never row text. */
  failingSample: ReportFailingRow[];
  /** Absolute paths or URIs: raw, processed, csv, report. */
  outputs: Record<string, string>;
  /** Warnings of both stages, prefixed by the stage. */
  warnings: string[];
  /** Why the run failed (the run error, else the quality gate), or null. */
  reason: string | null;
}

/** What the caller knows when it builds the report. */
export interface RunReportParts {
  runId: string;
  pipeline: string;
  task: string;
  source: string;
  state: string;
  createdAt?: Date | string;
  stages?: { raw?: QualityResult; processed?: QualityResult };
  counts?: Partial<RunCounts>;
  timings?: Record<string, number>;
  llm?: Partial<LlmUsage>;
  outputs?: Record<string, string>;
  /** The run's error message, when it failed for a reason other than quality. */
  error?: string | null;
}

/** Cap on {@link RunReport.failingSample}. */
export const REPORT_FAILING_SAMPLE = 100;

function sampleFailing(stages: QualityResult[]): ReportFailingRow[] {
  const checks = stages.flatMap((s) => s.checks);
  // Rows of checks that failed come first: they explain the verdict.
  checks.sort((a, b) => Number(a.passed) - Number(b.passed));
  const out: ReportFailingRow[] = [];
  for (const c of checks) {
    for (const f of c.failing) {
      if (out.length >= REPORT_FAILING_SAMPLE) return out;
      out.push({ id: f.id, reason: f.reason, check: `${c.stage}.${c.name}` });
    }
  }
  return out;
}

/** Assemble a {@link RunReport}. Pure: the caller writes it (storage `putJson`). */
export function buildRunReport(parts: RunReportParts): RunReport {
  const stages = parts.stages ?? {};
  const present = [stages.raw, stages.processed].filter((s): s is QualityResult => s !== undefined);
  const gateReason = present.map((s) => qualityFailureReason(s)).find((r) => r !== null) ?? null;
  const createdAt = parts.createdAt instanceof Date ? parts.createdAt.toISOString() : (parts.createdAt ?? new Date().toISOString());
  const c = parts.counts ?? {};
  return {
    runId: parts.runId,
    pipeline: parts.pipeline,
    task: parts.task,
    source: parts.source,
    createdAt,
    state: parts.state,
    score: (stages.processed ?? stages.raw)?.score ?? 0,
    passed: present.length > 0 && present.every((s) => s.passed),
    stages,
    counts: {
      rowsCollected: c.rowsCollected ?? 0,
      rowsCleaned: c.rowsCleaned ?? 0,
      rowsFailed: c.rowsFailed ?? 0,
      duplicatesRemoved: c.duplicatesRemoved ?? 0,
      rowsOutput: c.rowsOutput ?? 0,
    },
    timings: { ...(parts.timings ?? {}) },
    llm: addUsage(emptyUsage(), parts.llm ?? {}),
    failingSample: sampleFailing(present),
    outputs: { ...(parts.outputs ?? {}) },
    warnings: present.flatMap((s) => s.warnings.map((w) => `${s.stage}: ${w}`)),
    reason: parts.error ?? gateReason,
  };
}
