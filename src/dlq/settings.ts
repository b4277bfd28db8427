/**
 * Settings of the dead-letter queue's automatic retries.
 *
 * The values come from `config.env` (DLQ_RETRY_BASE_MS, DLQ_RETRY_MAX,
 * DLQ_RETRY_EVERY_MS, DLQ_KEEP_RESOLVED_DAYS), parsed here with zod because
 * src/config.ts is shared; an error names the variable.
 */
import { z } from 'zod';
import type { Config } from '../config';
import { ValidationError } from '../errors';

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

const intVar = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer ${min}-${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  DLQ_RETRY_BASE_MS: intVar(1, 7 * 24 * 3600_000),
  DLQ_RETRY_MAX: intVar(0, 100),
  DLQ_RETRY_EVERY_MS: intVar(1000, 24 * 3600_000),
  DLQ_KEEP_RESOLVED_DAYS: intVar(1, 3650),
});

/** The DLQ settings of a process. @throws ValidationError naming the variable. */
export function dlqSettings(config: Pick<Config, 'env'>, overrides: Partial<DlqSettings> = {}): DlqSettings {
  const r = envSchema.safeParse(config.env);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ValidationError(issue.message, { field: String(issue.path[0]) });
  }
  const e = r.data;
  return {
    baseMs: overrides.baseMs ?? e.DLQ_RETRY_BASE_MS ?? DLQ_DEFAULTS.baseMs,
    maxRetries: overrides.maxRetries ?? e.DLQ_RETRY_MAX ?? DLQ_DEFAULTS.maxRetries,
    everyMs: overrides.everyMs ?? e.DLQ_RETRY_EVERY_MS ?? DLQ_DEFAULTS.everyMs,
    keepResolvedDays: overrides.keepResolvedDays ?? e.DLQ_KEEP_RESOLVED_DAYS ?? DLQ_DEFAULTS.keepResolvedDays,
  };
}

/** When retry number `n` (0-based) may run after a failure at `failedAt`. */
export function nextRetryAt(failedAt: Date, n: number, baseMs: number): Date {
  return new Date(failedAt.getTime() + baseMs * 2 ** n);
}
