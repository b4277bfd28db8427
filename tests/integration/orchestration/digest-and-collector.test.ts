/** The daily digest mail, and the collector_failing notice for a source that keeps failing. */
import net from 'node:net';
import request from 'supertest';
import { digestTask } from '../../../src/runs/digest';
import { auth, createHarness, type Harness } from '../../support/harness';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

let h: Harness;
let smtp: SmtpSink;
let deadPort: number;

beforeAll(async () => {
  // A port nothing listens on: every request of the http collector is refused.
  deadPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  smtp = await startSmtpSink();
  h = await createHarness({
    env: { SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'team@example.test', NOTIFY_GROUP_WAIT_MS: '100' },
    extraPipelines: [
      '  digested:',
      '    source: sample',
      '    options: { rows: 120 }',
      '    task: normalize_text',
      '    chunk_size: 60',
      '    output: digested_out',
      '    notify: { emails: [owner@example.test], digest: true }',
      '  flaky_api:',
      '    source: http',
      `    options: { url: "http://127.0.0.1:${deadPort}/items", pagination: { style: none }, items_path: items, fields: { text: text }, max_retries: 1, retry_base_ms: 10, timeout_ms: 500 }`,
      '    task: normalize_text',
      '    output: never',
    ].join('\n'),
  });
  h.startWorkers();
});
afterAll(async () => {
  await h.close();
  await smtp.stop();
});

it('mails a daily digest with the runs, rows and cost of pipelines that ask for it', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'digested' }).expect(202);
    expect((await h.waitForRun(r.body.runId)).state).toBe('completed');
  }
  const out = await digestTask(h.res);
  expect(out.sent).toEqual(['digested']);
  const msgs = await smtp.waitForMessages(1, 20_000);
  const digest = msgs.find((m) => /digest/i.test(m.mail.subject ?? ''))!;
  expect(digest.mail.subject).toContain('digested');
  expect(digest.mail.text).toMatch(/Runs:?\s+2/);
  expect(digest.mail.text).toMatch(/Rows:?\s+240/);
  expect(digest.envelope.to).toEqual(expect.arrayContaining(['team@example.test', 'owner@example.test']));
}, 60_000);

it('raises collector_failing when the source fails on a second attempt', async () => {
  smtp.messages.length = 0;
  const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'flaky_api' }).expect(202);
  const msgs = await smtp.waitForMessages(1, 30_000);
  const mail = msgs.find((m) => (m.mail.text ?? '').includes(r.body.runId))!;
  expect(mail.mail.subject).toMatch(/collector|source/i);
  expect(mail.mail.text).toContain('flaky_api');
  expect(mail.mail.text).toMatch(/ECONNREFUSED|fetch failed|refused/i);
  const status = await h.res.runs.get(r.body.runId);
  expect(status?.state).not.toBe('completed');
}, 60_000);
