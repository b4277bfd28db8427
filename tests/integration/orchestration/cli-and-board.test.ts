/**
 * The `dataops run --wait` CLI (exit 0 only for a completed run) and Bull
 * Board's API listing a run job with its chunk children.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { createHarness, TOKENS, type Harness } from '../../support/harness';

const REPO = path.resolve(__dirname, '..', '..', '..');
let h: Harness;

beforeAll(async () => {
  h = await createHarness({
    extraPipelines: [
      '  missing_file:',
      '    source: file',
      '    options: { path: "nothing-matches-*.csv" }',
      '    task: normalize_text',
      '    output: never',
    ].join('\n'),
  });
  h.startWorkers();
});
afterAll(async () => {
  await h.close();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, QUEUE_PREFIX: h.prefix, DATA_DIR: h.dataDir, RESOURCES_DIR: h.resourcesDir, REDIS_URL: h.config.redisUrl, LOG_LEVEL: 'error' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

it('dataops run sample_daily --wait shows progress and exits 0', async () => {
  const r = await cli(['run', 'sample_daily', '--wait', '--option', 'rows=300']);
  expect(r.stderr).toMatch(/completed 100%/);
  expect(r.stdout).toMatch(/completed: 300 rows/);
  expect(r.code).toBe(0);
}, 60_000);

it('dataops run --wait --json exits non-zero for a failing run and prints its error', async () => {
  const r = await cli(['run', 'missing_file', '--wait', '--json']);
  expect(r.code).toBe(1);
  const status = JSON.parse(r.stdout);
  expect(status.state).toBe('failed');
  expect(status.error.message).toMatch(/nothing-matches/);
}, 60_000);

it('dataops run of an unknown pipeline exits 2 with a clear message', async () => {
  const r = await cli(['run', 'no_such_pipeline']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/no_such_pipeline/);
}, 30_000);

it("Bull Board's API lists the run job with its chunk children", async () => {
  const start = await request(h.app)
    .post('/api/runs')
    .set('Authorization', `Bearer ${TOKENS.operator}`)
    .send({ pipeline: 'sample_daily', overrides: { options: { rows: 90 }, chunk_size: 30 } })
    .expect(202);
  await h.waitForRun(start.body.runId);
  const basic = `Basic ${Buffer.from(`ops:${TOKENS.viewer}`).toString('base64')}`;
  const board = await request(h.app).get('/admin/queues/api/queues').query({ activeQueue: 'pipeline', status: 'completed', page: 1 }).set('Authorization', basic).expect(200);
  const pipelineQueue = board.body.queues.find((q: { name: string }) => q.name === 'pipeline');
  const runJob = pipelineQueue.jobs.find((j: { id: string }) => j.id === start.body.runId);
  expect(runJob).toBeDefined();
  const flow = await request(h.app).get(`/admin/queues/api/queues/pipeline/${start.body.runId}/flow`).set('Authorization', basic).expect(200);
  const text = JSON.stringify(flow.body);
  for (const i of [0, 1, 2]) expect(text).toContain(`${start.body.runId}-c0000${i}`);
  expect(text).not.toContain(`${start.body.runId}-c00003`);
}, 60_000);
