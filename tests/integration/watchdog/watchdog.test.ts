/**
 * The watchdog repairs a run whose chunk jobs were lost (re-adds them under
 * their deterministic ids, then the run completes with every row exactly once)
 * and fails, with a run_failed notice, a run whose run job is gone.
 */
import { startRun } from '../../../src/runs/start-run';
import { runWatchdog } from '../../../src/runs/watchdog';
import { duckQuery } from '../../support/duckdb';
import { createHarness, type Harness } from '../../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  h.startWorkers({ queues: ['pipeline'] });
});
afterAll(async () => {
  await h.close();
});

async function waitForState(runId: string, state: string, jobState: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await h.res.runs.get(runId);
    const j = await h.res.queues.pipeline.getJob(runId);
    if (s?.state === state && j && (await j.getState()) === jobState) return;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach ${state}/${jobState} (is ${s?.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function noticeKeys(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await h.res.redis.scan(cursor, 'MATCH', `${h.res.keyPrefix}:notify:*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

it('re-adds lost chunk jobs, is idempotent, and the run then completes exactly', async () => {
  const { runId } = await startRun(h.res, { pipeline: 'sample_daily', trigger: 'api', overrides: { options: { rows: 3000 }, chunk_size: 1000 } });
  await waitForState(runId, 'cleaning', 'waiting-children');
  // Healthy: children are waiting (no clean worker yet), nothing to do.
  expect(await runWatchdog(h.res)).toEqual([]);
  // Lose every chunk job (as if Redis lost them); the parent still waits for them.
  const q = h.res.queues.clean;
  for (let i = 0; i < 3; i++) {
    const id = `${runId}-c0000${i}`;
    await h.res.redis.multi().del(`${q.qualifiedName}:${id}`).lrem(`${q.qualifiedName}:wait`, 0, id).zrem(`${q.qualifiedName}:prioritized`, id).exec();
  }
  expect(await q.getJob(`${runId}-c00001`)).toBeUndefined();
  expect((await (await h.res.queues.pipeline.getJob(runId))!.getDependencies()).unprocessed).toHaveLength(3);
  const actions = await runWatchdog(h.res);
  expect(actions).toEqual([{ runId, action: 're-added', detail: 'chunk jobs 0, 1, 2' }]);
  expect(await runWatchdog(h.res)).toEqual([]);
  expect(await h.res.queues.clean.getJob(`${runId}-c00001`)).toBeTruthy();
  h.startWorkers({ queues: ['clean'] });
  const done = await h.waitForRun(runId, 60_000);
  expect(done.state).toBe('completed');
  const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${done.outputs.processed}')`);
  expect(p).toEqual({ n: 3000, ids: 3000 });
}, 90_000);

it('fails a cleaning run whose run job is missing, with a run_failed notice', async () => {
  const runId = `wd-missing-${Date.now()}`;
  await h.res.runs.create({ runId, pipeline: 'sample_daily', trigger: 'api' });
  await h.res.runs.setState(runId, 'cleaning', { chunks: 2 });
  const before = await noticeKeys();
  const actions = await runWatchdog(h.res);
  expect(actions).toEqual([{ runId, action: 'failed', detail: expect.stringContaining('run job is missing') }]);
  const s = await h.res.runs.get(runId);
  expect(s?.state).toBe('failed');
  expect(s?.error?.message).toMatch(/stuck in cleaning: its run job is missing/);
  const after = await noticeKeys();
  expect(after.length).toBeGreaterThan(before.length);
  const values = await Promise.all(after.filter((k) => !before.includes(k)).map((k) => h.res.redis.dumpBuffer(k)));
  expect(values.some((v) => v?.toString('latin1').includes('run_failed'))).toBe(true);
  // Failed runs are left alone afterwards.
  expect(await runWatchdog(h.res)).toEqual([]);
}, 30_000);
