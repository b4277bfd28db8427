/** Write `reports/<runId>.json`: checks, scores, counts, timings, LLM usage and sampled failing rows. */
import type { Resources } from '../context';
import type { QualityResult } from '../quality';
import { reportKey } from '../storage/names';
import { putJson } from '../storage/sidecar';
import type { SidecarMeta } from '../types';

/** Everything the report is built from. */
export interface ReportInput {
  runId: string;
  pipeline: string;
  task: string;
  source: string;
  state: 'completed' | 'failed';
  error?: string;
  stages: { raw?: QualityResult; processed?: QualityResult };
  counts: Record<string, number>;
  timings: Record<string, number>;
  outputs: Record<string, string>;
  inputs: string[];
  jobIds: string[];
}

/** Build and store the report; also record it in the catalog. */
export async function writeRunReport(res: Resources, r: ReportInput): Promise<SidecarMeta> {
  const status = await res.runs.get(r.runId);
  const stages = Object.values(r.stages).filter((s): s is QualityResult => s !== undefined);
  const failingSample = stages.flatMap((s) => s.checks.filter((c) => !c.passed).flatMap((c) => c.failing.map((f) => ({ ...f, check: c.name, stage: s.stage }))));
  const score = stages.length ? Math.min(...stages.map((s) => s.score)) : 1;
  const report = {
    runId: r.runId,
    pipeline: r.pipeline,
    task: r.task,
    source: r.source,
    state: r.state,
    error: r.error ?? null,
    createdAt: new Date().toISOString(),
    score,
    passed: stages.every((s) => s.passed),
    stages: r.stages,
    counts: r.counts,
    timings: r.timings,
    llm: status?.llm ?? null,
    failingSample: failingSample.slice(0, 100),
    outputs: r.outputs,
  };
  return putJson(res.store, reportKey(r.runId), report, { kind: 'report', runId: r.runId, pipeline: r.pipeline, source: r.source, inputs: r.inputs, jobIds: r.jobIds });
}
