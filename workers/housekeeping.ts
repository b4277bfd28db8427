/**
 * Housekeeping tasks run on the `maintenance` queue by name (watchdog,
 * dlq-retry, backup, retention, alerts, digest), and the schedulers that fire
 * them. Each task lives in its own module; add it to this list.
 */
import { digestTask } from '../src/runs/digest';
import { checkMissedSchedules } from '../src/runs/missed-schedules';
import { runWatchdog } from '../src/runs/watchdog';
import type { Config } from '../src/config';
import type { Resources } from '../src/context';
import { alertsTask, dlqRetryTask } from '../src/dlq';
import { BACKUP_CRON, RETENTION_EVERY_MS, backupTask, retentionTask } from '../src/ops/tasks';
import type { HousekeepingTask } from './maintenance';

/** A housekeeping task and when it runs. */
export interface HousekeepingEntry {
  name: string;
  task: HousekeepingTask;
  /** Interval in ms (or computed from the config), or a cron pattern. */
  every?: number | ((config: Readonly<Config>) => number);
  cron?: string;
}

/** Every housekeeping task. */
export const HOUSEKEEPING: HousekeepingEntry[] = [
  // Stuck runs (children lost, run job gone) are repaired or failed with a notice.
  { name: 'watchdog', task: (res) => runWatchdog(res), every: 60_000 },
  // Retries dead letters with per-letter exponential backoff (DLQ_RETRY_BASE_MS, DLQ_RETRY_MAX), every DLQ_RETRY_EVERY_MS.
  { name: 'dlq-retry', task: dlqRetryTask, every: (config) => config.dlq.retryEveryMs },
  // Evaluates resources/alerts.yaml against the chunk metrics.
  { name: 'alerts', task: alertsTask, every: 60_000 },
  // Daily archive of data/ (without redis/) with a sha256; keeps backups.keep of resources/retention.yaml.
  { name: 'backup', task: backupTask, cron: BACKUP_CRON },
  // Hourly: deletes expired files per resources/retention.yaml (never of unfinished runs), then checks free disk.
  { name: 'retention', task: retentionTask, every: RETENTION_EVERY_MS },
  // Cron ticks that passed without a scheduled run raise schedule_missed (once per tick).
  { name: 'missed-schedules', task: (res) => checkMissedSchedules(res), every: 5 * 60_000 },
  // Daily success digest for pipelines with notify.digest: true.
  { name: 'digest', task: (res) => digestTask(res), cron: '0 7 * * *' },
];

const SCHEDULER_PREFIX = 'housekeeping-';

/**
 * Create or update a job scheduler on the `maintenance` queue for every
 * housekeeping entry, and remove schedulers of entries that no longer exist.
 * Called by the process that owns schedules (`dataops api` / `start`).
 */
export async function syncHousekeeping(res: Resources, entries: readonly HousekeepingEntry[] = HOUSEKEEPING): Promise<string[]> {
  const q = res.queues.maintenance;
  const wanted = new Set(entries.map((e) => `${SCHEDULER_PREFIX}${e.name}`));
  for (const s of await q.getJobSchedulers(0, -1)) {
    const key = s.key ?? s.id ?? '';
    if (key.startsWith(SCHEDULER_PREFIX) && !wanted.has(key)) await q.removeJobScheduler(key);
  }
  for (const e of entries) {
    const every = typeof e.every === 'function' ? e.every(res.config) : e.every;
    const repeat = e.cron ? { pattern: e.cron } : { every: every ?? 60_000 };
    await q.upsertJobScheduler(`${SCHEDULER_PREFIX}${e.name}`, repeat, {
      name: e.name,
      data: { task: e.name },
      opts: { removeOnComplete: { age: 24 * 3600, count: 100 }, removeOnFail: { age: 7 * 24 * 3600, count: 200 } },
    });
  }
  return [...wanted];
}
