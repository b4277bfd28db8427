/**
 * The numbers the dashboard shows, read from the run store and BullMQ:
 * runs of the last N days (UTC) by outcome, rows, LLM tokens and cost per day,
 * the success rate, current queue depths and the latest runs.
 */
import { ALL_QUEUES, type QueueName } from '../../queues/names';
import type { Resources } from '../context';
import type { RunStatus } from '../runs/run-store';

/** Totals of one UTC day. */
export interface DayStats {
  /** YYYY-MM-DD (UTC). */
  day: string;
  completed: number;
  failed: number;
  /** Runs created that day that have not ended yet. */
  running: number;
  /** Rows cleaned + rows failed of the day's runs. */
  rowsProcessed: number;
  llmTokens: number;
  llmCostUsd: number;
}

/** Depth of one queue. */
export interface QueueDepth {
  queue: QueueName;
  paused: boolean;
  counts: Record<string, number>;
}

/** Everything the page renders. */
export interface DashboardData {
  generatedAt: string;
  days: DayStats[];
  totals: { completed: number; failed: number; running: number; rowsProcessed: number; llmTokens: number; llmCostUsd: number };
  /** completed / (completed + failed) over the window, or null with no ended runs. */
  successRate: number | null;
  queues: QueueDepth[];
  latest: RunStatus[];
  /** True when the window held more runs than were read. */
  truncated: boolean;
}

/** Options of {@link loadDashboard}. */
export interface DashboardOptions {
  /** Days shown, today included. Default 7. */
  days?: number;
  /** Latest runs listed. Default 20. */
  latest?: number;
  /** Most runs read for the charts (newest first). Default 5000. */
  maxRuns?: number;
  now?: Date;
}

/** Queue states shown on the page. */
export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

const DAY_MS = 24 * 3600 * 1000;
const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Read the dashboard's data. */
export async function loadDashboard(res: Pick<Resources, 'runs' | 'queues'>, opts: DashboardOptions = {}): Promise<DashboardData> {
  const now = opts.now ?? new Date();
  const nDays = opts.days ?? 7;
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(todayStart - (nDays - 1) * DAY_MS);
  const days: DayStats[] = Array.from({ length: nDays }, (_, i) => ({
    day: utcDay(new Date(since.getTime() + i * DAY_MS)),
    completed: 0,
    failed: 0,
    running: 0,
    rowsProcessed: 0,
    llmTokens: 0,
    llmCostUsd: 0,
  }));
  const byDay = new Map(days.map((d) => [d.day, d]));

  const [ids, latest, queues] = await Promise.all([res.runs.idsBetween(since, now), res.runs.list(opts.latest ?? 20), queueDepths(res)]);
  const maxRuns = opts.maxRuns ?? 5000;
  const wanted = ids.slice(-maxRuns);
  const runs = await Promise.all(wanted.map((id) => res.runs.get(id)));
  for (const r of runs) {
    if (!r) continue;
    const d = byDay.get(r.timings.createdAt.slice(0, 10));
    if (!d) continue;
    if (r.state === 'completed') d.completed++;
    else if (r.state === 'failed') d.failed++;
    else d.running++;
    d.rowsProcessed += r.counts.rowsCleaned + r.counts.rowsFailed;
    d.llmTokens += r.llm.tokens;
    d.llmCostUsd += r.llm.costUsd;
  }
  const totals = { completed: 0, failed: 0, running: 0, rowsProcessed: 0, llmTokens: 0, llmCostUsd: 0 };
  for (const d of days) {
    d.llmCostUsd = Math.round(d.llmCostUsd * 1e6) / 1e6;
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += d[k];
  }
  const ended = totals.completed + totals.failed;
  return {
    generatedAt: now.toISOString(),
    days,
    totals,
    successRate: ended ? totals.completed / ended : null,
    queues,
    latest,
    truncated: ids.length > wanted.length,
  };
}

async function queueDepths(res: Pick<Resources, 'queues'>): Promise<QueueDepth[]> {
  return Promise.all(
    ALL_QUEUES.map(async (queue) => {
      const q = res.queues[queue];
      const [counts, paused] = await Promise.all([q.getJobCounts(...DEPTH_STATES), q.isPaused()]);
      return { queue, paused, counts };
    }),
  );
}
