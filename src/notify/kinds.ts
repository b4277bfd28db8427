/**
 * Per-kind wording of a notice: the headline (subject without prefix and count)
 * and what to do next. Kept apart from the layout in render.ts.
 */
import type { NoticeEvent } from './events';

/** Links every notice can point at. */
export interface NoticeLinks {
  board: string;
  run?: string;
  api: string;
}

const run = (e: NoticeEvent): string => `${e.pipeline ?? 'unknown pipeline'}${e.runId ? ` (${e.runId})` : ''}`;
const usd = (n: number | undefined): string => (n === undefined ? '?' : `$${n.toFixed(2)}`);

/** One line saying what happened; the subject is `[dataops] ` + this (+ count). */
export function headline(e: NoticeEvent): string {
  switch (e.kind) {
    case 'run_failed':
      return `FAILED run ${run(e)}${e.step ? ` at ${e.step}` : ''}`;
    case 'quality_gate_failed':
      return `Quality gate failed: ${run(e)}${e.failedChecks?.length ? ` (${e.failedChecks.join(', ')})` : ''}`;
    case 'chunk_dead_lettered':
      return `Chunk dead-lettered: ${run(e)}${e.chunk !== undefined ? ` chunk ${e.chunk}` : ''}`;
    case 'budget_reached':
      return `LLM daily budget reached: ${usd(e.spentUsd)} of ${usd(e.budgetUsd)}${e.pipeline ? ` (${run(e)})` : ''}`;
    case 'breaker_opened':
      return `Circuit breaker opened: ${e.provider ?? 'LLM provider'}${e.pipeline ? ` (${run(e)})` : ''}`;
    case 'collector_failing':
      return `Collector failing: ${e.source ?? 'source'} for ${run(e)}${e.failures ? ` (${e.failures} failures)` : ''}`;
    case 'schedule_missed':
      return `Schedule missed: ${e.pipeline ?? 'unknown pipeline'}${e.scheduledFor ? ` (due ${e.scheduledFor})` : ''}`;
    case 'disk_low':
      return `Disk low: ${e.path ?? 'data directory'}${e.freeBytes !== undefined ? ` (${Math.round(e.freeBytes / 1048576)} MiB free)` : ''}`;
    case 'alert_firing':
      return `ALERT firing: ${e.rule}${valueVsThreshold(e)}`;
    case 'alert_resolved':
      return `RESOLVED: ${e.rule}${valueVsThreshold(e)}`;
    case 'digest':
      return `Daily digest: ${e.pipeline ?? 'all pipelines'}${e.period ? ` (${e.period})` : ''}`;
  }
}

function valueVsThreshold(e: { value?: number; threshold?: number }): string {
  if (e.value === undefined) return '';
  return ` (value ${round(e.value)}${e.threshold !== undefined ? `, threshold ${round(e.threshold)}` : ''})`;
}

const round = (n: number): string => String(Math.round(n * 100) / 100);

/** Specific, copy-pasteable next steps for the operator. */
export function nextSteps(e: NoticeEvent, links: NoticeLinks): string[] {
  const rerun = e.pipeline
    ? `Start a new run once fixed: \`dataops run ${e.pipeline} --wait\` or POST ${links.api}/runs {"pipeline":"${e.pipeline}"}.`
    : 'Start a new run once fixed: `dataops run <pipeline> --wait`.';
  const inspect = links.run
    ? `Inspect the run: GET ${links.run} (or \`dataops runs\`), and its jobs and logs in Bull Board: ${links.board}.`
    : `Inspect the failed jobs and their logs in Bull Board: ${links.board}.`;
  switch (e.kind) {
    case 'run_failed':
      return [inspect, 'Check `dataops dlq list` for chunks that exhausted their attempts.', 'Fix the cause shown in the error above.', rerun];
    case 'quality_gate_failed':
      return [
        `Read the quality report (outputs.report in GET ${links.run ?? `${links.api}/runs/<runId>`}).`,
        'Fix the source data or the cleaning task, or adjust the `quality` thresholds of the pipeline in resources/pipelines.yaml.',
        rerun,
      ];
    case 'chunk_dead_lettered':
      return [
        `List dead letters: \`dataops dlq list\` or GET ${links.api}/dlq.`,
        `After fixing the cause, retry it: \`dataops dlq retry ${e.dlqId ?? '<id>'}\` or POST ${links.api}/dlq/${e.dlqId ?? ':id'}/retry; the run then completes.`,
        `Or discard it: \`dataops dlq discard ${e.dlqId ?? '<id>'}\` or DELETE ${links.api}/dlq/${e.dlqId ?? ':id'}.`,
      ];
    case 'budget_reached':
      return [
        'LLM cleaning is paused for today; nothing is lost, chunks wait in the clean queue.',
        'Raise LLM_DAILY_BUDGET_USD and restart the workers, or resume tomorrow (UTC day) via',
        `POST ${links.api}/queues/clean/resume.`,
      ];
    case 'breaker_opened':
      return [
        `Check the provider's status page and that ${e.provider ?? 'OPENAI_BASE_URL'} answers.`,
        'The breaker half-opens on its own and retries; chunks are retried with backoff.',
        'If it stays open, check the API key and rate limits (LLM_MAX_RPS, LLM_MAX_TPM), then `dataops dlq list`.',
      ];
    case 'collector_failing':
      return [
        `Check that the source${e.source ? ` ${e.source}` : ''} is reachable and its credentials are valid.`,
        'Check the pipeline options in resources/pipelines.yaml.',
        rerun,
      ];
    case 'schedule_missed':
      return [
        'Check that workers are running (`dataops worker`) and that Redis is healthy (GET /readyz).',
        `Check the schedule: \`dataops schedules\` or GET ${links.api}/schedules.`,
        rerun,
      ];
    case 'disk_low':
      return ['Free space under DATA_DIR: remove old raw/ and processed/ files or move them to object storage.', 'Runs may fail to write files until space is freed.'];
    case 'alert_firing':
      return [`Check the dashboard, /metrics and Bull Board (${links.board}) for the cause.`, 'A "resolved" notice follows when the value recovers.'];
    case 'alert_resolved':
      return ['Nothing to do; the value is back within its threshold.'];
    case 'digest':
      return ['Nothing to do; this is a summary.'];
  }
}
