/**
 * Settings of the dead-letter queue's automatic retries, from the process
 * config (DLQ_RETRY_BASE_MS, DLQ_RETRY_MAX, DLQ_RETRY_EVERY_MS,
 * DLQ_KEEP_RESOLVED_DAYS in src/config.ts).
 */
import type { Config } from '../config';

/** How the `dlq-retry` task retries. */
export interface DlqSettings {
  /** Backoff base: retry n (0-based) waits base × 2^n after the letter's last failure. Default 60 s. */
  baseMs: number;
  /** Automatic retries per letter before it is marked `exhausted`. Default 5. */
  maxRetries: number;
  /** How often the task runs. Default 5 min. */
  everyMs: number;
  /** Resolved letters are removed after this many days. Default 7. */
  keepResolvedDays: number;
}

/** Defaults of {@link DlqSettings}. */
export const DLQ_DEFAULTS: Readonly<DlqSettings> = Object.freeze({ baseMs: 60_000, maxRetries: 5, everyMs: 5 * 60_000, keepResolvedDays: 7 });

/** The DLQ settings of a process, with optional overrides (tests). */
export function dlqSettings(config: Pick<Config, 'dlq'>, overrides: Partial<DlqSettings> = {}): DlqSettings {
  return {
    baseMs: overrides.baseMs ?? config.dlq.retryBaseMs,
    maxRetries: overrides.maxRetries ?? config.dlq.retryMax,
    everyMs: overrides.everyMs ?? config.dlq.retryEveryMs,
    keepResolvedDays: overrides.keepResolvedDays ?? config.dlq.keepResolvedDays,
  };
}

/** When retry number `n` (0-based) may run after a failure at `failedAt`. */
export function nextRetryAt(failedAt: Date, n: number, baseMs: number): Date {
  return new Date(failedAt.getTime() + baseMs * 2 ** n);
}
