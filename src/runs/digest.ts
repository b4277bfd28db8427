/**
 * The daily success digest: for every pipeline with `notify.digest: true`, one
 * notice summing the last 24 hours of runs (outcomes, rows, LLM cost).
 */
import type { Resources } from '../context';
import { loadPipelines } from '../resources/pipelines';
import { notice } from './notices';
import type { RunStatus } from './run-store';

/** One pipeline's summary over a period. */
export interface DigestSummary {
  pipeline: string;
  runs: number;
  completed: number;
  failed: number;
  rows: number;
  rowsFailed: number;
  costUsd: number;
}

/** Sum runs per pipeline. */
export function summarizeRuns(runs: readonly RunStatus[]): Map<string, DigestSummary> {
  const out = new Map<string, DigestSummary>();
  for (const r of runs) {
    const s = out.get(r.pipeline) ?? { pipeline: r.pipeline, runs: 0, completed: 0, failed: 0, rows: 0, rowsFailed: 0, costUsd: 0 };
    s.runs++;
    if (r.state === 'completed') s.completed++;
    if (r.state === 'failed') s.failed++;
    s.rows += r.counts.rowsCollected;
    s.rowsFailed += r.counts.rowsFailed;
    s.costUsd += r.llm.costUsd;
    out.set(r.pipeline, s);
  }
  return out;
}

/** Housekeeping task: send the digests of the 24 hours before `now`. */
export async function digestTask(res: Resources, now = new Date()): Promise<{ sent: string[] }> {
  const pipelines = await loadPipelines(res.config.resourcesDir);
  const wanted = Object.values(pipelines).filter((p) => p.notify.digest);
  if (!wanted.length) return { sent: [] };
  const since = new Date(now.getTime() - 24 * 3600_000);
  const ids = await res.runs.idsBetween(since, now);
  const runs = (await Promise.all(ids.map((id) => res.runs.get(id)))).filter((r): r is RunStatus => r !== null);
  const summaries = summarizeRuns(runs);
  const period = `${since.toISOString().slice(0, 16)}Z – ${now.toISOString().slice(0, 16)}Z`;
  for (const p of wanted) {
    const s = summaries.get(p.name) ?? { pipeline: p.name, runs: 0, completed: 0, failed: 0, rows: 0, rowsFailed: 0, costUsd: 0 };
    await notice(res, {
      kind: 'digest',
      pipeline: p.name,
      period,
      runs: s.runs,
      rows: s.rows,
      costUsd: Math.round(s.costUsd * 1e6) / 1e6,
      details: { completed: s.completed, failed: s.failed, rowsFailed: s.rowsFailed },
    });
  }
  return { sent: wanted.map((p) => p.name) };
}
