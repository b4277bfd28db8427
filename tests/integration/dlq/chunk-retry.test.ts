/**
 * A chunk that always fails ends in the dead-letter queue with full context
 * and a `chunk_dead_lettered` email; once the fault is removed, one API call
 * completes the run with the exact row count (checked with DuckDB).
 * Real Redis, BullMQ workers, SMTP sink and files.
 */
import request from 'supertest';
import { QUEUES } from '../../../queues/names';
import { startRun } from '../../../src/runs/start-run';
import { duckQuery } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { blockPart, DLQ_PIPELINES, eventually, testRunId } from './helpers';

let h: Harness;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await createHarness({ env: { SMTP_URL: sink.url, ALERT_EMAIL_TO: 'oncall@test.local', NOTIFY_GROUP_WAIT_MS: '200' }, extraPipelines: DLQ_PIPELINES });
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await sink?.stop();
});

const processedCounts = async (file: string) =>
  (await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed FROM read_parquet('${file}')`))[0];

describe('dead-lettered chunk of a completed run (on_chunk_failure: mark)', () => {
  it('is kept with full context, mailed, and a retry via the API re-finalizes the run with every row cleaned', async () => {
    const runId = testRunId('dlqmark');
    const unblock = await blockPart(h, runId, 1);
    await startRun(h.res, { pipeline: 'dlq_mark', trigger: 'api', runId });
    const first = await h.waitForRun(runId, 30_000);
    expect(first.state).toBe('completed');
    expect(first.counts).toMatchObject({ rowsCollected: 90, rowsFailed: 30, chunksFailed: 1 });
    expect(await processedCounts(first.outputs.processed!)).toEqual({ n: 90, ids: 90, failed: 30 });

    const id = `dl-${runId}-c00001`;
    const list = await request(h.app).get('/api/dlq').query({ runId }).set(auth('viewer')).expect(200);
    expect(list.body.total).toBe(1);
    expect(list.body.deadLetters[0]).toMatchObject({ id, status: 'dead', queue: 'clean', runId, chunkIndex: 1, attemptsMade: 3 });

    const letter = (await request(h.app).get(`/api/dlq/${id}`).set(auth('viewer')).expect(200)).body;
    expect(letter).toMatchObject({ queue: 'clean', jobName: 'chunk', jobId: `${runId}-c00001`, runId, pipeline: 'dlq_mark', chunkIndex: 1, step: 'clean', failures: 1, attempts: { made: 3, max: 3 } });
    expect(letter.data).toMatchObject({ runId, chunkIndex: 1, offset: 30, limit: 30, partKey: `runs/${runId}/parts/part-00001.parquet` });
    expect(letter.error.message).toMatch(/EISDIR|directory/i);
    expect(letter.error.stack).toMatch(/\n\s+at /);
    expect(letter.attempts.history).toHaveLength(3);
    expect(letter.attempts.history[2]).toMatchObject({ attempt: 3, reason: expect.stringMatching(/EISDIR|directory/i) });
    expect(letter.parent).toMatchObject({ id: runId });
    expect(letter.runSnapshot).toMatchObject({ runId, step: 'finalize' });
    for (const k of ['jobCreatedAt', 'processedAt', 'failedAt', 'deadLetteredAt']) expect(Date.parse(letter.timestamps[k])).toBeGreaterThan(0);
    expect(letter.retries).toEqual([]);

    // Stored as a job on the paused dead-letter queue: visible, never processed.
    const dq = h.res.queues[QUEUES.deadLetter];
    expect(await dq.isPaused()).toBe(true);
    expect(await (await dq.getJob(id))!.getState()).toBe('waiting');

    const mail = await eventually('the dead-letter email', async () => sink.messages.find((m) => m.mail.subject?.includes(runId)));
    expect(mail.mail.subject).toBe(`[dataops] Chunk dead-lettered: dlq_mark (${runId}) chunk 1`);
    expect(mail.envelope.to).toEqual(['oncall@test.local']);
    expect(mail.mail.text).toContain(id);
    expect(mail.mail.text).toMatch(/EISDIR|directory/i);

    // Roles: viewers cannot retry, operators cannot discard; bad ids are 400s.
    await request(h.app).post(`/api/dlq/${id}/retry`).set(auth('viewer')).expect(403);
    await request(h.app).delete(`/api/dlq/${id}`).set(auth('operator')).expect(403);
    await request(h.app).get('/api/dlq/not-a-letter').set(auth('viewer')).expect(400);
    await request(h.app).post('/api/dlq/dl-nope-123/retry').set(auth('operator')).expect(404);

    await unblock();
    const retried = await request(h.app).post(`/api/dlq/${id}/retry`).set(auth('operator')).expect(202);
    expect(retried.body.retry).toMatchObject({ action: 'refinalize', result: 'pending', by: expect.stringMatching(/^api:operator:tok_/) });
    // A second retry while the first is in flight is refused.
    await request(h.app).post(`/api/dlq/${id}/retry`).set(auth('operator')).expect(409);

    const second = await h.waitForRun(runId, 30_000);
    expect(second.state).toBe('completed');
    expect(second.counts).toMatchObject({ rowsCollected: 90, rowsCleaned: 90, rowsFailed: 0, chunksFailed: 0 });
    expect(second.outputs.processed).toBe(first.outputs.processed);
    expect(await processedCounts(second.outputs.processed!)).toEqual({ n: 90, ids: 90, failed: 0 });
    const [part] = await duckQuery(`SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM read_parquet('${h.dataDir}/runs/${runId}/parts/part-00001.parquet')`);
    expect(part).toEqual({ n: 30, lo: 31, hi: 60 });

    const after = (await request(h.app).get(`/api/dlq/${id}`).set(auth('viewer')).expect(200)).body;
    expect(after.status).toBe('resolved');
    expect(after.retries).toHaveLength(1);
    expect(after.retries[0]).toMatchObject({ action: 'refinalize', result: 'succeeded', by: expect.stringMatching(/^api:operator:/) });
    await request(h.app).post(`/api/dlq/${id}/retry`).set(auth('operator')).expect(409);

    await request(h.app).delete(`/api/dlq/${id}`).set(auth('admin')).expect(200);
    await request(h.app).get(`/api/dlq/${id}`).set(auth('viewer')).expect(404);
    expect((await request(h.app).get('/api/dlq').query({ runId }).set(auth('viewer')).expect(200)).body.total).toBe(0);
  });
});

describe('dead-lettered chunk of a failed run (on_chunk_failure: fail)', () => {
  it('fails the run once; a retry re-runs the chunk and the run job in place and the run completes', async () => {
    const runId = testRunId('dlqfail');
    const unblock = await blockPart(h, runId, 1);
    await startRun(h.res, { pipeline: 'dlq_fail', trigger: 'api', runId });
    const failed = await h.waitForRun(runId, 30_000);
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toMatch(/^chunk 1 \(job .*\) failed after 3 attempts/);

    // One run_failed mail (from the run job's failure) and one dead letter: the chunk's.
    const mail = await eventually('the run_failed email', async () => sink.messages.find((m) => m.mail.subject?.startsWith(`[dataops] FAILED run dlq_fail (${runId})`)));
    expect(mail.mail.subject).toBe(`[dataops] FAILED run dlq_fail (${runId}) at clean`);
    const list = (await request(h.app).get('/api/dlq').query({ runId }).set(auth('viewer')).expect(200)).body;
    expect(list.deadLetters.map((l: { id: string }) => l.id)).toEqual([`dl-${runId}-c00001`]);

    await unblock();
    const retried = await request(h.app).post(`/api/dlq/dl-${runId}-c00001/retry`).set(auth('operator')).expect(202);
    expect(retried.body.retry.action).toBe('retry-chunk-and-run');
    const done = await h.waitForRun(runId, 30_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    expect(done.counts).toMatchObject({ rowsCollected: 90, rowsCleaned: 90, rowsFailed: 0, chunksFailed: 0 });
    expect(await processedCounts(done.outputs.processed!)).toEqual({ n: 90, ids: 90, failed: 0 });
    const after = await eventually('the letter to resolve', async () => {
      const l = (await request(h.app).get(`/api/dlq/dl-${runId}-c00001`).set(auth('viewer')).expect(200)).body;
      return l.status === 'resolved' ? l : undefined;
    });
    expect(after.retries[0]).toMatchObject({ action: 'retry-chunk-and-run', result: 'succeeded' });
  });
});

describe('re-finalizing after one of two dead-lettered chunks is retried', () => {
  it('keeps the other chunk rows failed with their original reason', async () => {
    const runId = testRunId('dlqtwo');
    const unblock0 = await blockPart(h, runId, 0);
    const unblock2 = await blockPart(h, runId, 2);
    await startRun(h.res, { pipeline: 'dlq_mark', trigger: 'api', runId });
    const first = await h.waitForRun(runId, 30_000);
    expect(first.counts).toMatchObject({ rowsCollected: 90, rowsFailed: 60, chunksFailed: 2 });

    await unblock2();
    await request(h.app).post(`/api/dlq/dl-${runId}-c00002/retry`).set(auth('operator')).expect(202);
    await eventually('chunk 2 resolved', async () => {
      const l = (await request(h.app).get(`/api/dlq/dl-${runId}-c00002`).set(auth('viewer'))).body;
      return l.status === 'resolved' ? l : undefined;
    });
    const second = await h.waitForRun(runId, 30_000);
    expect(second.counts).toMatchObject({ rowsCollected: 90, rowsCleaned: 60, rowsFailed: 30, chunksFailed: 1 });
    const failed = await duckQuery(`SELECT DISTINCT error FROM read_parquet('${second.outputs.processed}') WHERE status = 'failed'`);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(/^chunk 0 failed: .*(EISDIR|directory)/i);
    await unblock0();
  });
});
