/**
 * Reduced chaos (CI): a 20k-row run while two clean worker processes are
 * SIGKILLed (and replaced) and the run's own Redis (AOF, fsync always) is
 * shut down and restarted; then DuckDB checks that nothing was lost or doubled.
 */
import { startPrivateRedis, type PrivateRedis } from '../../../bench/lib/redis-server';
import { verifyRun } from '../../../bench/lib/verify';
import { startRun } from '../../../src/runs/start-run';
import { createHarness, type Harness } from '../../support/harness';
import { spawnWorker, type WorkerProcess } from '../../support/worker-process';

let redis: PrivateRedis;
let h: Harness;
const procs: WorkerProcess[] = [];
const ENV = { WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };

beforeAll(async () => {
  redis = await startPrivateRedis();
  // createHarness's deletePrefix cleans the default Redis only; our keys go away with the private server.
  h = await createHarness({
    env: { REDIS_URL: redis.url },
    extraPipelines: `  chaos:
    source: sample
    options: { rows: 20000, seed: 11 }
    task: normalize_text
    chunk_size: 1000
    quality: { required_columns: [raw_text], max_null_ratio: 0.2 }
    output: chaos_out`,
  });
  h.startWorkers({ queues: ['pipeline'], concurrency: 2 });
}, 30_000);
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await h?.close();
  await redis?.destroy();
});

function clean(): WorkerProcess {
  const p = spawnWorker(h, ['--queues', 'clean', '--concurrency', '1'], ENV);
  procs.push(p);
  return p;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function killWhileBusy(p: WorkerProcess, runId: string): Promise<void> {
  await until(`a chunk active on ${p.pid}`, async () => (await h.res.queues.clean.getActive()).some((j) => j.data.runId === runId && j.processedBy?.endsWith(`:${p.pid}`)));
  p.child.kill('SIGKILL');
  expect((await p.exited).signal).toBe('SIGKILL');
}

it('loses and doubles nothing through two worker kills and a Redis restart', async () => {
  const a = clean();
  const b = clean();
  await Promise.all([a.ready, b.ready]);
  const { runId } = await startRun(h.res, { pipeline: 'chaos', trigger: 'api' });
  const chunksDone = async () => (await h.res.runs.get(runId))?.counts.chunksDone ?? 0;

  await killWhileBusy(a, runId);
  clean();
  await until('5 chunks done', async () => (await chunksDone()) >= 5);
  await redis.stop();
  await redis.start();
  await until('10 chunks done', async () => (await chunksDone()) >= 10);
  await killWhileBusy(b, runId);
  clean();

  const done = await h.waitForRun(runId, 60_000);
  const checks = await verifyRun(done, h.dataDir);
  expect(checks.filter((c) => !c.passed)).toEqual([]);
  expect(done.counts.rowsCollected).toBe(20000);
}, 90_000);
