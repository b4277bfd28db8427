/**
 * Alert rules (`resources/alerts.yaml`) evaluated from the chunk metrics in
 * Redis. A rule that starts breaching raises one `alert_firing` notice; when it
 * recovers, one `alert_resolved`. The firing state lives in Redis, so any
 * number of evaluators (replicas) agree and each transition is raised once.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { readWindowMetrics, type WindowMetrics } from './metrics';
import { raiseNotice, type RaiseDeps } from './throttle';

/** Metrics a rule can watch. */
export const ALERT_METRICS = {
  error_rate_pct: (m: WindowMetrics) => m.errorRatePct,
  throughput_rows_per_min: (m: WindowMetrics) => m.throughputRowsPerMin,
  queue_wait_ms_avg: (m: WindowMetrics) => m.queueWaitMsAvg,
  queue_wait_ms_p95: (m: WindowMetrics) => m.queueWaitMsP95,
  latency_ms_avg: (m: WindowMetrics) => m.latencyMsAvg,
  latency_ms_p95: (m: WindowMetrics) => m.latencyMsP95,
} as const;
/** A metric name. */
export type AlertMetric = keyof typeof ALERT_METRICS;

/** One rule as written in alerts.yaml. */
export const alertRuleSchema = z
  .object({
    metric: z.enum(Object.keys(ALERT_METRICS) as [AlertMetric, ...AlertMetric[]]),
    /** Breach when `value <op> threshold`. */
    op: z.enum(['>', '<']).default('>'),
    threshold: z.number(),
    /** Whole minutes looked back (the current minute is left out). */
    window_minutes: z.number().int().min(1).max(1440).default(5),
    /** Fewer chunks than this in the window: no verdict, state unchanged. */
    min_samples: z.number().int().min(0).default(1),
    /** Only evaluate while runs are active (for throughput: no runs is not a slowdown). */
    only_while_active: z.boolean().default(false),
    description: z.string().default(''),
  })
  .strict();

/** The alerts.yaml file. */
export const alertsFileSchema = z.object({ alerts: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), alertRuleSchema).default({}) }).strict();

/** A parsed rule plus its name. */
export type AlertRule = z.infer<typeof alertRuleSchema> & { name: string };

/** Parse alerts.yaml text. @throws ValidationError naming the file and field. */
export function parseAlertRules(text: string, file = 'alerts.yaml'): AlertRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? { alerts: {} };
  } catch (err) {
    throw new ValidationError(`not valid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  const r = alertsFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ValidationError(issue.message, { file, field: issue.path.join('.') || undefined });
  }
  return Object.entries(r.data.alerts).map(([name, rule]) => ({ name, ...rule }));
}

/** Load alert rules from a file; a missing file means no rules. */
export async function loadAlertRules(file: string): Promise<AlertRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseAlertRules(text, file);
}

/** What {@link evaluateAlerts} needs: where to raise notices, plus whether runs are active. */
export interface AlertDeps extends RaiseDeps {
  /** Whether any run is active now. Default: some chunk was recorded in the rule's window. */
  isActive?: () => Promise<boolean>;
}

/** The verdict on one rule. */
export interface AlertResult {
  rule: string;
  /** null when there was no verdict (too few samples, or inactive). */
  value: number | null;
  breached: boolean | null;
  /** What changed this evaluation, if anything. */
  transition: 'fired' | 'resolved' | null;
}

const stateKey = (keyPrefix: string): string => `${keyPrefix}:alerts:firing`;

/** Evaluate every rule once (the maintenance queue runs this every minute). */
export async function evaluateAlerts(deps: AlertDeps, rules: readonly AlertRule[], now: Date): Promise<AlertResult[]> {
  const out: AlertResult[] = [];
  let active: boolean | undefined;
  for (const rule of rules) {
    const m = await readWindowMetrics(deps.redis, deps.keyPrefix, rule.window_minutes, now);
    if (rule.only_while_active) {
      active ??= deps.isActive ? await deps.isActive() : undefined;
      if (!(active ?? m.samples > 0)) {
        out.push({ rule: rule.name, value: null, breached: null, transition: null });
        continue;
      }
    }
    if (m.samples < rule.min_samples) {
      out.push({ rule: rule.name, value: null, breached: null, transition: null });
      continue;
    }
    const value = ALERT_METRICS[rule.metric](m);
    const breached = rule.op === '>' ? value > rule.threshold : value < rule.threshold;
    // HSETNX / HDEL make each transition happen once even with several evaluators.
    const changed = breached
      ? (await deps.redis.hsetnx(stateKey(deps.keyPrefix), rule.name, now.toISOString())) === 1
      : (await deps.redis.hdel(stateKey(deps.keyPrefix), rule.name)) === 1;
    let transition: AlertResult['transition'] = null;
    if (changed) {
      transition = breached ? 'fired' : 'resolved';
      await raiseNotice(deps, {
        kind: breached ? 'alert_firing' : 'alert_resolved',
        rule: rule.name,
        value,
        threshold: rule.threshold,
        occurredAt: now.toISOString(),
        details: {
          metric: rule.metric,
          condition: `${rule.metric} ${rule.op} ${rule.threshold} over the last ${rule.window_minutes} min`,
          samples: m.samples,
          ...(rule.description ? { description: rule.description } : {}),
        },
      });
    }
    out.push({ rule: rule.name, value, breached, transition });
  }
  return out;
}

/** Names of the rules firing now. */
export async function firingAlerts(deps: Pick<AlertDeps, 'redis' | 'keyPrefix'>): Promise<string[]> {
  return deps.redis.hkeys(stateKey(deps.keyPrefix));
}
