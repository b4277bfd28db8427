/**
 * Housekeeping tasks run on the `maintenance` queue (registered in
 * workers/housekeeping.ts): `dlq-retry` and `alerts`.
 */
import path from 'node:path';
import type { Job } from 'bullmq';
import type { Resources } from '../context';
import { evaluateAlerts, loadAlertRules, type AlertResult } from '../notify/alerts';
import { retryDueLetters, type AutoRetryReport } from './auto-retry';

/** Run states that count as "a run is active" for alert rules. */
const ACTIVE_STATES = new Set(['collecting', 'cleaning', 'finalizing']);

/** The `dlq-retry` task: one pass of {@link retryDueLetters}. */
export async function dlqRetryTask(res: Resources, job: Job): Promise<AutoRetryReport> {
  const report = await retryDueLetters(res, new Date());
  await job.log(`dlq-retry: ${report.retried.length} retried, ${report.exhausted.length} exhausted, ${report.settled.length} settled, ${report.removed.length} removed, ${report.errors.length} errors`);
  return report;
}

/** Whether any of the 50 newest runs is collecting, cleaning or finalizing. */
export async function anyRunActive(res: Resources): Promise<boolean> {
  return (await res.runs.list(50)).some((r) => ACTIVE_STATES.has(r.state));
}

/** The `alerts` task: evaluate `resources/alerts.yaml` once against the chunk metrics. */
export async function alertsTask(res: Resources, job: Job): Promise<AlertResult[]> {
  const rules = await loadAlertRules(path.join(res.config.resourcesDir, 'alerts.yaml'));
  const results = await evaluateAlerts(
    {
      redis: res.redis,
      keyPrefix: metricsKeyPrefix(res),
      queue: res.queues.notify,
      logger: res.logger,
      windowSeconds: res.config.mail.throttleSeconds,
      groupWaitMs: res.config.mail.groupWaitMs,
      isActive: () => anyRunActive(res),
    },
    rules,
    new Date(),
  );
  const changed = results.filter((r) => r.transition);
  if (changed.length) await job.log(`alerts: ${changed.map((r) => `${r.rule} ${r.transition}`).join(', ')}`);
  return results;
}

/** Key prefix of the chunk metrics and alert state (the notify module's prefix). */
export function metricsKeyPrefix(res: Resources): string {
  return `${res.keyPrefix}:notify`;
}
