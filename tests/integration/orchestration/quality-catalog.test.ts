/**
 * Quality gate, report, catalog and lineage on real runs: a gate that fails
 * fails the run (no CSV, report names the check, a notice is mailed); a good
 * run's files are all catalogued, survive a Redis flush via rebuild, match
 * their sha256, and a CSV's sha256 leads back to run, raw file and source.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { duckQuery } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

let h: Harness;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await createHarness({
    env: { SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'data-team@example.test', NOTIFY_GROUP_WAIT_MS: '100' },
    extraPipelines: [
      '  too_many_nulls:',
      '    source: sample',
      '    options: { rows: 400, null_ratio: 0.4, empty_ratio: 0 }',
      '    task: normalize_text',
      '    chunk_size: 100',
      '    quality: { required_columns: [raw_text], max_null_ratio: 0.05 }',
      '    output: never_written',
      '    notify: { emails: [owner@example.test] }',
    ].join('\n'),
  });
  h.startWorkers();
});
afterAll(async () => {
  await h.close();
  await smtp.stop();
});

async function listFiles(dir: string): Promise<string[]> {
  return fs.readdir(path.join(h.dataDir, dir)).catch(() => []);
}

it('fails a run whose raw data breaks a fatal threshold: no CSV, report names the check, notice mailed', async () => {
  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'too_many_nulls' }).expect(202);
  const done = await h.waitForRun(start.body.runId);
  expect(done.state).toBe('failed');
  expect(done.error?.message).toMatch(/quality gate failed on raw data.*null_ratio/);
  expect((await listFiles('output')).filter((f) => f.startsWith('never_written'))).toEqual([]);
  // The raw file is kept for inspection, and the report says which check failed.
  expect(done.outputs.raw).toBeDefined();
  await fs.access(done.outputs.raw!);
  const report = JSON.parse(await fs.readFile(done.outputs.report!, 'utf8'));
  expect(report.state).toBe('failed');
  const failed = report.stages.raw.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { name: string }) => c.name);
  expect(failed).toContain('null_ratio');
  expect(report.failingSample.length).toBeGreaterThan(0);
  expect(report.failingSample[0]).toEqual(expect.objectContaining({ id: expect.any(Number), reason: expect.any(String), check: expect.any(String) }));

  const [msg] = await smtp.waitForMessages(1, 20_000);
  expect(msg!.mail.subject).toMatch(/quality gate/i);
  expect(msg!.mail.text).toContain(start.body.runId);
  expect(msg!.mail.text).toContain('too_many_nulls');
  expect(msg!.envelope.to).toEqual(expect.arrayContaining(['data-team@example.test', 'owner@example.test']));
}, 60_000);

it('catalogs every file of a run, rebuilds after a Redis flush, and traces a CSV back to its source', async () => {
  const start = await request(h.app)
    .post('/api/runs')
    .set(auth('operator'))
    .send({ pipeline: 'sample_daily', overrides: { options: { rows: 600, duplicate_ratio: 0.2 }, chunk_size: 200 } })
    .expect(202);
  const runId = start.body.runId as string;
  const done = await h.waitForRun(runId);
  expect(done.state).toBe('completed');

  // Dedupe: counts before and after are in the report and match the files.
  const report = JSON.parse(await fs.readFile(done.outputs.report!, 'utf8'));
  expect(report.counts.rowsCollected).toBe(600);
  expect(report.counts.duplicatesRemoved).toBeGreaterThan(100);
  expect(report.counts.rowsOutput).toBe(600 - report.counts.duplicatesRemoved);
  const [p] = await duckQuery(`SELECT count(*) AS n FROM read_parquet('${done.outputs.processed}')`);
  expect(p!.n).toBe(600);

  const list = async () => (await request(h.app).get('/api/datasets').query({ runId, limit: 100 }).set(auth('viewer')).expect(200)).body.datasets as Array<{ kind: string; key: string; sha256: string; uri: string }>;
  const before = await list();
  const kinds = before.map((d) => d.kind).sort();
  expect(kinds).toEqual(['output', 'part', 'part', 'part', 'processed', 'raw', 'report']);
  // Filters by pipeline and kind.
  const outputs = (await request(h.app).get('/api/datasets').query({ pipeline: 'sample_daily', kind: 'output' }).set(auth('viewer')).expect(200)).body.datasets;
  expect(outputs.map((d: { uri: string }) => d.uri)).toContain(done.outputs.csv);

  // Every entry matches its file on disk.
  for (const d of before) expect(await h.res.catalog.verify(d.key)).toEqual(expect.objectContaining({ ok: true }));

  // Flush the index; rebuild from the sidecars restores the same entries.
  const keys = await h.res.redis.keys(`${h.res.keyPrefix}:catalog:*`);
  await h.res.redis.del(...keys);
  expect(await list()).toEqual([]);
  const rebuilt = await h.res.catalog.rebuild();
  expect(rebuilt.errors).toEqual([]);
  const after = await list();
  expect(after.map((d) => d.key).sort()).toEqual(before.map((d) => d.key).sort());

  // From the CSV's sha256 back to the run, the raw file and the source.
  const csv = after.find((d) => d.kind === 'output')!;
  const trace = (await request(h.app).get('/api/datasets').query({ sha256: csv.sha256 }).set(auth('viewer')).expect(200)).body;
  expect(trace.runId).toBe(runId);
  expect(trace.source).toBe('sample');
  expect(trace.raw.uri).toBe(done.outputs.raw);
}, 60_000);
