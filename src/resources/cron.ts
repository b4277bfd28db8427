/**
 * Cron checks for `schedule:` and `tz:` in pipelines.yaml. BullMQ job
 * schedulers parse patterns with cron-parser, so we validate with the same
 * parser: a schedule accepted here is one the scheduler can run.
 */
import { CronExpressionParser } from 'cron-parser';

/** Why `tz` is not a usable IANA time zone, or undefined when it is. */
export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone "${tz}" (use an IANA name such as "UTC" or "Asia/Seoul")`;
  }
}

/**
 * Why `expr` is not a valid cron expression (5 fields, or 6 with seconds, or
 * an alias such as `@daily`), or undefined when it is valid and fires at least once.
 */
export function cronProblem(expr: string, tz?: string): string | undefined {
  const trimmed = expr.trim();
  const fields = trimmed.split(/\s+/).length;
  // cron-parser quietly accepts fewer fields; a 4-field pattern is almost surely a typo.
  if (!trimmed.startsWith('@') && (fields < 5 || fields > 6)) {
    return `invalid cron expression "${expr}": expected 5 fields (minute hour day month weekday) or 6 with seconds, got ${fields}`;
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: tz ?? 'UTC' }).next();
    return undefined;
  } catch (err) {
    return `invalid cron expression "${expr}": ${(err as Error).message}`;
  }
}
