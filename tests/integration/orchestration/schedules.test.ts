/** Schedules: created from YAML, changed and deleted through the API, and one fires. */
import request from 'supertest';
import { syncSchedules } from '../../../src/schedules';
import { HOUSEKEEPING, syncHousekeeping } from '../../../workers/housekeeping';
import { auth, createHarness, type Harness } from '../../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    extraPipelines: `  tiny_every:\n    source: sample\n    options: { rows: 30 }\n    task: normalize_text\n    chunk_size: 10\n    output: tiny_out\n`,
  });
});
afterAll(async () => {
  await h.close();
});

it('syncs YAML schedules, updates and deletes them via the API', async () => {
  const synced = await syncSchedules(h.res);
  expect(synced).toEqual([expect.objectContaining({ pipeline: 'sample_daily', cron: '0 2 * * *', origin: 'yaml' })]);

  const put = await request(h.app).put('/api/schedules/sample_daily').set(auth('admin')).send({ cron: '30 4 * * *', tz: 'Europe/Berlin' }).expect(200);
  expect(put.body).toEqual(expect.objectContaining({ pipeline: 'sample_daily', cron: '30 4 * * *', tz: 'Europe/Berlin', origin: 'api' }));
  // A restart (sync again) keeps the API change.
  expect((await syncSchedules(h.res)).find((s) => s.pipeline === 'sample_daily')?.cron).toBe('30 4 * * *');

  const bad = await request(h.app).put('/api/schedules/sample_daily').set(auth('admin')).send({ cron: '61 * * * *' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toMatch(/cron/);
  await request(h.app).put('/api/schedules/not_a_pipeline').set(auth('admin')).send({ cron: '0 1 * * *' }).expect(400);

  await request(h.app).delete('/api/schedules/sample_daily').set(auth('admin')).expect(204);
  const list = await request(h.app).get('/api/schedules').set(auth('viewer')).expect(200);
  expect(list.body.schedules).toEqual([]);
  expect(await syncSchedules(h.res)).toEqual([]);
});

it('fires a schedule and the run completes', async () => {
  h.startWorkers();
  await request(h.app).put('/api/schedules/tiny_every').set(auth('admin')).send({ every: 1000 }).expect(200);
  const deadline = Date.now() + 30_000;
  let runId: string | undefined;
  while (!runId && Date.now() < deadline) {
    const runs = await h.res.runs.list(10);
    runId = runs.find((r) => r.pipeline === 'tiny_every' && r.trigger === 'schedule')?.runId;
    if (!runId) await new Promise((r) => setTimeout(r, 200));
  }
  expect(runId).toBeDefined();
  await request(h.app).delete('/api/schedules/tiny_every').set(auth('admin')).expect(204);
  const done = await h.waitForRun(runId!);
  expect(done.state).toBe('completed');
  expect(done.counts.rowsCollected).toBe(30);
});

it('schedules every housekeeping task on the maintenance queue', async () => {
  await syncHousekeeping(h.res);
  const schedulers = await h.res.queues.maintenance.getJobSchedulers(0, -1);
  const byName = new Map(schedulers.map((s) => [s.key ?? s.id, s]));
  for (const e of HOUSEKEEPING) expect(byName.get(`housekeeping-${e.name}`)).toBeDefined();
  expect(Number(byName.get('housekeeping-dlq-retry')?.every)).toBe(h.config.dlq.retryEveryMs);
  // Dropping an entry removes its scheduler.
  await syncHousekeeping(h.res, HOUSEKEEPING.filter((e) => e.name !== 'backup'));
  const keys = (await h.res.queues.maintenance.getJobSchedulers(0, -1)).map((s) => s.key ?? s.id);
  expect(keys).not.toContain('housekeeping-backup');
  expect(keys).toContain('housekeeping-watchdog');
});
