/**
 * Three `dataops worker --queues clean` processes share LLM_MAX_RPS=20 through
 * Redis. The fake server counts arrivals: no calendar second, and no sliding
 * 1 s window, holds more than 20 requests, while the run keeps the limit busy.
 */
import request from 'supertest';
import type { ChunkResult } from '../../../queues/catalog';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { auth, createHarness, type Harness } from '../../support/harness';
import { spawnWorker, type WorkerProcess } from '../../support/worker-process';
import { llmEnv, llmTaskYaml, writePrices } from './setup';

const ROWS = 800;
const MAX_RPS = 20;
const TASK_YAML = llmTaskYaml({ batch_size: '5', cache: 'false' });

let h: Harness;
let fake: FakeLlm;
const procs: WorkerProcess[] = [];

beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 30 });
  h = await createHarness({
    env: llmEnv(fake.url),
    extraTasks: { llm_test: TASK_YAML },
    extraPipelines: `  llm_rps:\n    source: sample\n    options: { rows: ${ROWS}, duplicate_ratio: 0, near_duplicate_ratio: 0 }\n    task: llm_test\n    chunk_size: 50\n    output: llm_rps_out`,
  });
  await writePrices(h);
  // The run job is handled here; every LLM request comes from the three worker processes.
  h.startWorkers({ queues: ['pipeline'] });
});
afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  await h?.close();
  await fake?.close();
});

it('3 worker processes together stay at or under LLM_MAX_RPS=20, counted per second at the server', async () => {
  const env = llmEnv(fake.url, { LLM_MAX_RPS: String(MAX_RPS), LLM_CONCURRENCY: '4' });
  for (let i = 0; i < 3; i++) procs.push(spawnWorker(h, ['--queues', 'clean', '--concurrency', '2'], env));
  await Promise.all(procs.map((p) => p.ready));

  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'llm_rps' }).expect(202);
  const done = await h.waitForRun(start.body.runId, 50_000);
  expect(done.state).toBe('completed');
  expect(done.counts).toMatchObject({ rowsCollected: ROWS, rowsFailed: 0 });

  // All three processes sent requests.
  const job = await h.res.queues.pipeline.getJob(start.body.runId);
  const results = Object.values(await job!.getChildrenValues()) as ChunkResult[];
  const pids = new Set(results.map((r) => Number(r.worker!.split(':').pop())));
  expect(pids).toEqual(new Set(procs.map((p) => p.pid)));
  expect(done.llm.requests).toBe(fake.stats.requests);
  expect(fake.stats.requests).toBeGreaterThanOrEqual(140);

  // Per calendar second, and over every 1 s sliding window of arrivals.
  expect(fake.maxPerSecond()).toBeLessThanOrEqual(MAX_RPS);
  const t = fake.stats.arrivals;
  let worst = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  expect(worst).toBeLessThanOrEqual(MAX_RPS);
  // The limit, not the workers, set the pace: it took about requests / 20 seconds, and full seconds were near 20.
  const spanS = (t[t.length - 1]! - t[0]!) / 1000;
  expect(spanS).toBeGreaterThanOrEqual(fake.stats.requests / MAX_RPS - 1.5);
  const seconds = [...fake.stats.perSecond.entries()].sort((a, b) => a[0] - b[0]).slice(1, -1).map(([, n]) => n);
  const median = seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
  expect(median).toBeGreaterThanOrEqual(MAX_RPS * 0.75);
}, 60_000);
