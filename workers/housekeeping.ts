/**
 * Housekeeping tasks run on the `maintenance` queue by name (watchdog,
 * dlq-retry, backup, retention, alerts, digest), and the schedulers that fire
 * them. Each task lives in its own module; add it to this list.
 */
import { runWatchdog } from '../src/runs/watchdog';
import { alertsTask, DLQ_DEFAULTS, dlqRetryTask } from '../src/dlq';
import { BACKUP_CRON, RETENTION_EVERY_MS, backupTask, retentionTask } from '../src/ops/tasks';
import type { HousekeepingTask } from './maintenance';

/** A housekeeping task and when it runs. */
export interface HousekeepingEntry {
  name: string;
  task: HousekeepingTask;
  /** Interval in ms, or a cron pattern. */
  every?: number;
  cron?: string;
}

/** Every housekeeping task. */
export const HOUSEKEEPING: HousekeepingEntry[] = [
  // Stuck runs (children lost, run job gone) are repaired or failed with a notice.
  { name: 'watchdog', task: (res) => runWatchdog(res), every: 60_000 },
  // Retries dead letters with per-letter exponential backoff (DLQ_RETRY_BASE_MS, DLQ_RETRY_MAX); DLQ_RETRY_EVERY_MS is the intended interval.
  { name: 'dlq-retry', task: dlqRetryTask, every: DLQ_DEFAULTS.everyMs },
  // Evaluates resources/alerts.yaml against the chunk metrics.
  { name: 'alerts', task: alertsTask, every: 60_000 },
  // Daily archive of data/ (without redis/) with a sha256; keeps backups.keep of resources/retention.yaml.
  { name: 'backup', task: backupTask, cron: BACKUP_CRON },
  // Hourly: deletes expired files per resources/retention.yaml (never of unfinished runs), then checks free disk.
  { name: 'retention', task: retentionTask, every: RETENTION_EVERY_MS },
];
