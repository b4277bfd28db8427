/**
 * The scheduled `dlq-retry` task: exponential backoff per letter (base × 2^n
 * after its last failure) up to a maximum, then `exhausted` for a human.
 * Uses a run whose collect step always fails at once (its file is missing),
 * so each real retry fails again within milliseconds.
 */
import request from 'supertest';
import { getLetter, retryDueLetters, type DeadLetter } from '../../../src/dlq';
import { startRun } from '../../../src/runs/start-run';
import { auth, createHarness, type Harness } from '../../support/harness';
import { DLQ_PIPELINES, eventually, runHousekeeping, testRunId } from './helpers';

const BASE = 1000;
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { DLQ_RETRY_BASE_MS: String(BASE), DLQ_RETRY_MAX: '2' }, extraPipelines: DLQ_PIPELINES });
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
});

const letterWith = (id: string, pred: (l: DeadLetter) => boolean) =>
  eventually(`dead letter ${id}`, async () => {
    const l = await getLetter(h.res, id);
    return l && pred(l) ? l : undefined;
  });
const delay = (l: DeadLetter) => Date.parse(l.nextRetryAt!) - Date.parse(l.timestamps.updatedAt);

describe('dlq-retry housekeeping', () => {
  it('backs off exponentially per letter, stops at the maximum and leaves the letter for a human', async () => {
    const runId = testRunId('dlqauto');
    await startRun(h.res, { pipeline: 'dlq_missing', trigger: 'api', runId });
    expect((await h.waitForRun(runId)).state).toBe('failed');
    const id = `dl-${runId}`;
    let l = await letterWith(id, (x) => x.failures === 1);
    expect(l).toMatchObject({ queue: 'pipeline', jobName: 'run', jobId: runId, step: 'collect', status: 'dead', autoRetries: 0 });
    expect(l.error.message).toMatch(/no-such-file/);
    expect(delay(l)).toBe(BASE);

    for (const n of [1, 2]) {
      // Not due one millisecond early.
      const early = await retryDueLetters(h.res, new Date(Date.parse(l.nextRetryAt!) - 1));
      expect(early.retried).not.toContain(id);
      expect(early.skipped).toContain(id);
      const due = await retryDueLetters(h.res, new Date(l.nextRetryAt!));
      expect(due.retried).toEqual([id]);
      // The retried run job fails again at once; the same letter records it and backs off further.
      l = await letterWith(id, (x) => x.failures === n + 1);
      expect(l).toMatchObject({ status: 'dead', autoRetries: n });
      expect(l.retries).toHaveLength(n);
      expect(l.retries[n - 1]).toMatchObject({ by: 'dlq-retry', action: 'retry-run', result: 'failed' });
      expect(delay(l)).toBe(BASE * 2 ** n);
    }

    // Maximum reached: marked exhausted, never retried automatically again.
    const last = await retryDueLetters(h.res, new Date(l.nextRetryAt!));
    expect(last.exhausted).toEqual([id]);
    expect(last.retried).toEqual([]);
    l = (await getLetter(h.res, id))!;
    expect(l.status).toBe('exhausted');
    expect((await retryDueLetters(h.res, new Date(Date.now() + 365 * 86_400_000))).retried).toEqual([]);
    expect((await getLetter(h.res, id))!.retries).toHaveLength(2);

    // The task is registered on the maintenance queue and served by the real worker.
    const report = await runHousekeeping<{ skipped: string[]; retried: string[] }>(h, 'dlq-retry');
    expect(report.skipped).toContain(id);
    expect(report.retried).toEqual([]);

    // A human can still retry it; the API lists it as exhausted until then.
    const listed = (await request(h.app).get('/api/dlq').query({ status: 'exhausted', queue: 'pipeline' }).set(auth('viewer')).expect(200)).body;
    expect(listed.deadLetters.map((x: { id: string }) => x.id)).toEqual([id]);
    await request(h.app).post(`/api/dlq/${id}/retry`).set(auth('operator')).expect(202);
    l = await letterWith(id, (x) => x.failures === 4);
    expect(l.retries.at(-1)).toMatchObject({ by: expect.stringMatching(/^api:operator:/), result: 'failed' });
    expect(l.autoRetries).toBe(2);
  });
});
