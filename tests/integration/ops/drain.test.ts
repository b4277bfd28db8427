/**
 * Graceful operations: a worker process that gets SIGTERM in the middle of a
 * run lets its active chunks finish, exits 0 within the lock time, and a new
 * worker process completes the run with exactly the collected rows (checked
 * with DuckDB). /readyz answers 503 while a standalone process drains.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { startStandalone } from '../../../src/server';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { auth, createHarness, TOKENS, type Harness } from '../../support/harness';

const REPO = path.resolve(__dirname, '..', '..', '..');
const LOCK_MS = 15_000;
let h: Harness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await createHarness({ env: { PORT: '0' } });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h.close();
});

interface WorkerProc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorkerProcess(): WorkerProc {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/dataops.js'), 'worker', '--queues', 'pipeline,clean', '--concurrency', '2'], {
    cwd: REPO,
    env: {
      ...process.env,
      REDIS_URL: h.config.redisUrl,
      QUEUE_PREFIX: h.prefix,
      DATA_DIR: h.dataDir,
      RESOURCES_DIR: h.resourcesDir,
      API_TOKENS: `admin:${TOKENS.admin}`,
      WORKER_LOCK_MS: String(LOCK_MS),
      WORKER_STALLED_INTERVAL_MS: '2000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

it('SIGTERM mid-run drains the worker (exit 0 within the lock time); a new worker completes the run with the exact row count', async () => {
  const first = startWorkerProcess();
  // Start-up logs its queues and concurrency.
  await until('worker start-up logs', () => (/worker started.*clean/s.test(first.output()) && /worker started.*pipeline/s.test(first.output()) ? true : undefined), 40_000);
  expect(first.output()).toMatch(/"concurrency":2/);

  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 20_000 }, chunk_size: 1000 } }).expect(202);
  const runId = start.body.runId as string;
  await until('some chunks done', async () => {
    const s = await h.res.runs.get(runId);
    return s && s.state === 'cleaning' && s.counts.chunksDone >= 1 ? s : undefined;
  }, 40_000, 20);

  const t0 = Date.now();
  first.child.kill('SIGTERM');
  const exit = await Promise.race([first.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`worker did not exit within ${LOCK_MS} ms`)), LOCK_MS))]);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(Date.now() - t0).toBeLessThan(LOCK_MS);
  expect(first.output()).toMatch(/SIGTERM received: draining/);

  // Drained, not finished: chunks are left for the next worker, and none is stuck active.
  const mid = (await h.res.runs.get(runId))!;
  expect(mid.state).not.toBe('completed');
  expect(mid.counts.chunksDone).toBeLessThan(20);
  expect((await h.res.queues.clean.getJobCounts('active')).active).toBe(0);

  const second = startWorkerProcess();
  const done = await h.waitForRun(runId, 90_000);
  second.child.kill('SIGTERM');
  expect(done.state).toBe('completed');
  expect(done.counts.rowsCollected).toBe(20_000);
  expect(done.counts.chunks).toBe(20);
  expect(done.counts.rowsCleaned + done.counts.rowsFailed).toBe(20_000);
  const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet(${sqlPath(done.outputs.processed!)})`);
  expect(p).toEqual({ n: done.counts.rowsCollected, ids: done.counts.rowsCollected });
  expect(await second.exited).toEqual({ code: 0, signal: null });
}, 150_000);

it('/readyz answers 503 while a standalone process drains, after 200 before', async () => {
  const handle = await startStandalone(h.res, { queues: ['pipeline', 'clean'], concurrency: 2 });
  try {
    await request(handle.api.url).get('/readyz').expect(200);
    const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 5000 }, chunk_size: 500 } }).expect(202);
    await until('the run to be cleaning', async () => ((await h.res.runs.get(start.body.runId))?.state === 'cleaning' ? true : undefined), 30_000, 10);
    const closing = handle.close();
    const r = await request(handle.api.url).get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'draining' });
    await closing;
  } finally {
    await handle.close().catch(() => undefined);
  }
}, 60_000);
