/**
 * The daily LLM budget through real BullMQ runs: when LLM_DAILY_BUDGET_USD is
 * reached the `clean` queue pauses and the run waits in `cleaning` (it does not
 * fail, and no requests are made). An operator's resume after `resetBudget`
 * lets it go on (until the budget binds again); with the budget raised
 * (workers restarted with a higher LLM_DAILY_BUDGET_USD) and one more resume,
 * the run completes with every row cleaned.
 */
import request from 'supertest';
import { budgetStatus, resetBudget } from '../../../src/cleaning/llm';
import { loadConfig } from '../../../src/config';
import { createResources, type Resources } from '../../../src/context';
import { silentLogger } from '../../../src/logger';
import { startWorkers, type WorkerSet } from '../../../workers';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { auth, createHarness, type Harness } from '../../support/harness';
import { llmEnv, llmTaskYaml, readProcessed, until, writePrices } from './setup';

const ROWS = 400;
const BUDGET = 0.002; // ~3 requests of 10 rows at $1 per 1M tokens; the run needs ~$0.03
const TASK_YAML = llmTaskYaml({ cache: 'true' });

let h: Harness;
let fake: FakeLlm;
let raised: { res: Resources; workers: WorkerSet } | undefined;

beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 20 });
  h = await createHarness({
    env: llmEnv(fake.url, { LLM_DAILY_BUDGET_USD: String(BUDGET), LLM_CONCURRENCY: '2' }),
    extraTasks: { llm_test: TASK_YAML },
    extraPipelines: `  llm_budget:\n    source: sample\n    options: { rows: ${ROWS} }\n    task: llm_test\n    chunk_size: 100\n    output: llm_budget_out`,
  });
  await writePrices(h);
  h.startWorkers({ queues: ['pipeline'] });
});
afterAll(async () => {
  await raised?.workers.close();
  await raised?.res.close();
  await h?.close();
  await fake?.close();
});

const llmKeys = () => `${h.res.keyPrefix}:llm`;
const clean = () => h.res.queues.clean;

/** Wait until the budget has paused the queue and every chunk of the run sits parked (none active or delayed). */
async function waitParked(runId: string): Promise<void> {
  await until('the clean queue to pause', () => clean().isPaused());
  await until('chunks to be parked in the paused queue', async () => {
    // Chunks carry a priority, so parked ones wait as `prioritized` (or `wait` without one).
    const c = await clean().getJobCounts('active', 'delayed', 'wait', 'prioritized');
    return c.active === 0 && c.delayed === 0 && c.wait! + c.prioritized! > 0;
  });
  const s = await h.res.runs.get(runId);
  expect(s).toMatchObject({ state: 'cleaning', error: null, counts: expect.objectContaining({ chunksFailed: 0 }) });
}

it('pauses the clean queue at the budget; the run waits, and completes after the operator resumes with budget', async () => {
  const cleanWorkers = h.startWorkers({ queues: ['clean'], concurrency: 2 });
  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'llm_budget' }).expect(202);
  const runId = start.body.runId as string;

  // 1. The budget is reached: queue paused, chunks parked, nothing failed, a notice raised.
  await waitParked(runId);
  const first = await budgetStatus(h.res.redis, llmKeys(), h.config.llm);
  expect(first.reached).toBe(true);
  // Requests already in flight finish, so spend passes the limit by at most those (2 chunks × 2 in flight).
  expect(first.spentUsd).toBeLessThan(BUDGET * 5);
  const requestsAtPause = fake.stats.requests;
  expect(requestsAtPause).toBeGreaterThan(0);
  const notices = await h.res.queues.notify.getJobs(['delayed', 'waiting']);
  expect(notices.some((j) => JSON.stringify(j.data).includes('budget_reached'))).toBe(true);
  // While paused nothing is sent and the run stays in `cleaning`.
  expect(fake.stats.requests).toBe(requestsAtPause);
  expect((await h.res.runs.get(runId))!.state).toBe('cleaning');

  // 2. Resuming needs the operator role; after resetBudget it goes on until the budget binds again.
  await request(h.app).post('/api/queues/clean/resume').set(auth('viewer')).expect(403);
  await resetBudget(h.res.redis, llmKeys(), h.config.llm);
  await request(h.app).post('/api/queues/clean/resume').set(auth('operator')).expect(200);
  await until('requests to flow again', async () => fake.stats.requests > requestsAtPause);
  await waitParked(runId);
  expect((await budgetStatus(h.res.redis, llmKeys(), h.config.llm)).reached).toBe(true);

  // 3. Raise the budget (workers restarted with a higher LLM_DAILY_BUDGET_USD) and resume: the run completes.
  await cleanWorkers.close();
  const res = createResources(loadConfig({ ...h.config.env, LLM_DAILY_BUDGET_USD: '1000' }), { logger: silentLogger() });
  raised = { res, workers: startWorkers(res, { queues: ['clean'], concurrency: 2, lockDuration: 5000, stalledInterval: 1000 }) };
  await request(h.app).post('/api/queues/clean/resume').set(auth('operator')).expect(200);
  const done = await h.waitForRun(runId, 30_000);
  expect(done).toMatchObject({ state: 'completed', error: null });
  expect(done.counts).toMatchObject({ rowsCollected: ROWS, rowsFailed: 0, chunksFailed: 0 });
  const rows = await readProcessed(done.outputs.processed!);
  expect(rows).toHaveLength(ROWS);
  expect(rows.every((r) => r.status === 'cleaned')).toBe(true);
  expect(await clean().isPaused()).toBe(false);
}, 60_000);
