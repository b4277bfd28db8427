/**
 * A run whose collect step fails for good (its file source matches nothing)
 * sends exactly one `run_failed` email naming the pipeline, run id, step and
 * error, and is kept in the dead-letter queue. Real Redis, workers and SMTP.
 */
import request from 'supertest';
import { getLetter } from '../../../src/dlq';
import { auth, createHarness, type Harness } from '../../support/harness';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { DLQ_PIPELINES, eventually } from '../dlq/helpers';

let h: Harness;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await createHarness({ env: { SMTP_URL: sink.url, ALERT_EMAIL_TO: 'ops@test.local', ALERT_EMAIL_FROM: 'dataops@test.local', NOTIFY_GROUP_WAIT_MS: '200' }, extraPipelines: DLQ_PIPELINES });
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await sink?.stop();
});

it('a failing run sends exactly one run_failed email with pipeline, run id, step and error', async () => {
  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'dlq_missing' }).expect(202);
  const runId: string = start.body.runId;
  const status = await h.waitForRun(runId);
  expect(status.state).toBe('failed');
  expect(status.error).toMatchObject({ step: 'collect', message: expect.stringMatching(/no-such-file/) });

  const [msg] = await sink.waitForMessages(1);
  expect(msg!.envelope).toEqual({ from: 'dataops@test.local', to: ['ops@test.local'] });
  expect(msg!.mail.subject).toBe(`[dataops] FAILED run dlq_missing (${runId}) at collect`);
  expect(msg!.mail.text).toContain(runId);
  expect(msg!.mail.text).toMatch(/no-such-file/);
  expect(msg!.mail.html).toContain(runId);

  const letter = await eventually('the run dead letter', () => getLetter(h.res, `dl-${runId}`).then((l) => l ?? undefined));
  expect(letter).toMatchObject({ queue: 'pipeline', step: 'collect', runId, pipeline: 'dlq_missing', attempts: { made: 1 } });

  // Nothing else is on its way: the notify queue drained and still one mail.
  await eventually('the notify queue to drain', async () => {
    const c = await h.res.queues.notify.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(c).every((n) => n === 0) ? true : undefined;
  });
  expect(sink.messages.filter((m) => m.mail.subject?.includes('FAILED run'))).toHaveLength(1);
  expect(sink.messages).toHaveLength(1);
});
