/**
 * Separate worker processes: chunks of one run spread over two of them, and a
 * worker killed with SIGKILL mid-chunk loses nothing once its stalled chunk is
 * recovered by another process.
 */
import request from 'supertest';
import type { ChunkResult } from '../../../queues/catalog';
import { duckQuery } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';
import { spawnWorker, type WorkerProcess } from '../../support/worker-process';

let h: Harness;
const procs: WorkerProcess[] = [];

beforeAll(async () => {
  h = await createHarness();
  // The run (parent) job is processed in this process; chunks only by the worker processes.
  h.startWorkers({ queues: ['pipeline'] });
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
});
afterAll(async () => {
  await h.close();
});

async function childResults(runId: string): Promise<ChunkResult[]> {
  const job = await h.res.queues.pipeline.getJob(runId);
  return Object.values(await job!.getChildrenValues()) as ChunkResult[];
}

it('spreads the chunks of one run over two worker processes', async () => {
  const a = spawnWorker(h, ['--queues', 'clean', '--concurrency', '1']);
  const b = spawnWorker(h, ['--queues', 'clean', '--concurrency', '1']);
  procs.push(a, b);
  await Promise.all([a.ready, b.ready]);
  const start = await request(h.app)
    .post('/api/runs')
    .set(auth('operator'))
    .send({ pipeline: 'sample_daily', overrides: { options: { rows: 6000 }, chunk_size: 300 } })
    .expect(202);
  const done = await h.waitForRun(start.body.runId, 120_000);
  expect(done.state).toBe('completed');
  const results = await childResults(start.body.runId);
  expect(results).toHaveLength(20);
  const byWorker = new Map<string, number>();
  for (const r of results) byWorker.set(r.worker!, (byWorker.get(r.worker!) ?? 0) + 1);
  const pids = [...byWorker.keys()].map((w) => Number(w.split(':').pop()));
  expect(new Set(pids)).toEqual(new Set([a.pid, b.pid]));
  const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${done.outputs.processed}')`);
  expect(p).toEqual({ n: 6000, ids: 6000 });
}, 180_000);

it('recovers a chunk whose worker was SIGKILLed mid-chunk: exact rows, no duplicates', async () => {
  const env = { WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
  const victim = spawnWorker(h, ['--queues', 'clean', '--concurrency', '2'], env);
  procs.push(victim);
  await victim.ready;
  const start = await request(h.app)
    .post('/api/runs')
    .set(auth('operator'))
    .send({ pipeline: 'sample_daily', overrides: { options: { rows: 40000 }, chunk_size: 4000 } })
    .expect(202);
  const runId = start.body.runId as string;
  // Kill as soon as a chunk is active on the victim.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const active = await h.res.queues.clean.getActive();
    if (active.some((j) => j.data.runId === runId)) break;
    if (Date.now() > deadline) throw new Error('no chunk became active');
    await new Promise((r) => setTimeout(r, 20));
  }
  victim.child.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');
  const rescuer = spawnWorker(h, ['--queues', 'clean', '--concurrency', '2'], env);
  procs.push(rescuer);
  const done = await h.waitForRun(runId, 180_000);
  expect(done.state).toBe('completed');
  expect(done.counts.rowsCollected).toBe(40000);
  const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM read_parquet('${done.outputs.processed}')`);
  expect(p).toEqual({ n: 40000, ids: 40000, lo: 1, hi: 40000 });
  const results = await childResults(runId);
  expect(results).toHaveLength(10);
  expect(results.reduce((s, r) => s + r.rows, 0)).toBe(40000);
}, 240_000);
