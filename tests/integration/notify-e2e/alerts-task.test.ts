/**
 * Alert rules end to end through the `alerts` housekeeping task on the real
 * maintenance worker: synthetic chunk metrics in Redis → one "ALERT firing"
 * email on breach, nothing while it keeps breaching, one "RESOLVED" email on
 * recovery. A rule marked only_while_active is judged only while a run is active.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { metricsKeyPrefix } from '../../../src/dlq';
import type { AlertResult } from '../../../src/notify/alerts';
import { recordChunkMetric } from '../../../src/notify/metrics';
import { createHarness, type Harness } from '../../support/harness';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { runHousekeeping } from '../dlq/helpers';

let h: Harness;
let sink: SmtpSink;

const RULES = `alerts:
  errors_high:
    metric: error_rate_pct
    op: ">"
    threshold: 10
    window_minutes: 3
    min_samples: 5
  slow:
    metric: throughput_rows_per_min
    op: "<"
    threshold: 1000000
    window_minutes: 3
    min_samples: 0
    only_while_active: true
`;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await createHarness({ copyResources: true, env: { SMTP_URL: sink.url, ALERT_EMAIL_TO: 'ops@test.local', NOTIFY_GROUP_WAIT_MS: '200' } });
  await fs.writeFile(path.join(h.resourcesDir, 'alerts.yaml'), RULES);
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await sink?.stop();
});

// One minute back: inside the rule windows (the current, partial minute is left out), even if the minute turns meanwhile.
const record = (ok: number, failed: number) =>
  Promise.all(
    [...Array(ok).fill(true), ...Array(failed).fill(false)].map((isOk: boolean) =>
      recordChunkMetric(h.res.redis, metricsKeyPrefix(h.res), { ok: isOk, rows: 100, latencyMs: 50, waitMs: 5, at: new Date(Date.now() - 60_000) }),
    ),
  );
const byRule = (results: AlertResult[], rule: string) => results.find((r) => r.rule === rule)!;
const mails = (prefix: string) => sink.messages.filter((m) => m.mail.subject?.startsWith(prefix));

it('a breach sends 1 notice, a lasting breach no more, and recovery 1 resolved notice', async () => {
  await record(6, 4); // 40 % of chunks failed
  const fired = await runHousekeeping<AlertResult[]>(h, 'alerts');
  expect(byRule(fired, 'errors_high')).toMatchObject({ value: 40, breached: true, transition: 'fired' });
  // No run is active: the throughput rule gives no verdict.
  expect(byRule(fired, 'slow')).toMatchObject({ value: null, transition: null });
  const [firing] = await sink.waitForMessages(1);
  expect(firing!.mail.subject).toBe('[dataops] ALERT firing: errors_high (value 40, threshold 10)');
  expect(firing!.envelope.to).toEqual(['ops@test.local']);

  const again = await runHousekeeping<AlertResult[]>(h, 'alerts');
  expect(byRule(again, 'errors_high')).toMatchObject({ breached: true, transition: null });

  await record(90, 0); // 4 failed of 100: 4 %
  const recovered = await runHousekeeping<AlertResult[]>(h, 'alerts');
  expect(byRule(recovered, 'errors_high')).toMatchObject({ value: 4, breached: false, transition: 'resolved' });
  await sink.waitForMessages(2);
  expect(mails('[dataops] RESOLVED: errors_high')).toHaveLength(1);
  expect(mails('[dataops] ALERT firing: errors_high')).toHaveLength(1);
});

it('judges only_while_active rules while a run is collecting, cleaning or finalizing', async () => {
  await h.res.runs.create({ runId: 'alerts-active-run', pipeline: 'sample_daily', trigger: 'api' });
  await h.res.runs.setState('alerts-active-run', 'cleaning');
  const results = await runHousekeeping<AlertResult[]>(h, 'alerts');
  expect(byRule(results, 'slow')).toMatchObject({ breached: true, transition: 'fired' });
  const msg = await sink.waitForMessages(3);
  expect(msg.filter((m) => m.mail.subject?.startsWith('[dataops] ALERT firing: slow'))).toHaveLength(1);
});
