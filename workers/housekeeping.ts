/**
 * Housekeeping tasks run on the `maintenance` queue by name (watchdog,
 * dlq-retry, backup, retention, alerts, digest), and the schedulers that fire
 * them. Each task lives in its own module; add it to this list.
 */
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
export const HOUSEKEEPING: HousekeepingEntry[] = [];
