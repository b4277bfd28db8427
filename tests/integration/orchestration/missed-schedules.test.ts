/** A cron tick that passes without a scheduled run raises one schedule_missed notice. */
import { noticeStats } from '../../../src/notify';
import { checkMissedSchedules } from '../../../src/runs/missed-schedules';
import { scheduleSinceKey, syncSchedules } from '../../../src/schedules';
import { createHarness, type Harness } from '../../support/harness';

let h: Harness;
const HOUR = 3600_000;

beforeAll(async () => {
  h = await createHarness({
    extraPipelines: ['  hourly:', '    source: sample', '    options: { rows: 10 }', '    task: normalize_text', '    schedule: "0 * * * *"', '    output: hourly_out'].join('\n'),
  });
  await syncSchedules(h.res);
});
afterAll(async () => {
  await h.close();
});

const raised = async () => (await noticeStats(h.res.redis, `${h.res.keyPrefix}:notify`))['schedule_missed:raised'] ?? 0;

it('ignores ticks from before the schedule existed', async () => {
  expect(await checkMissedSchedules(h.res, new Date(Date.now() + 0))).toEqual([]);
  expect(await raised()).toBe(0);
});

it('reports a missed tick once, and not a tick whose scheduled run started', async () => {
  // The schedule took effect three hours ago; nothing ran since.
  const prev = JSON.parse((await h.res.redis.hget(scheduleSinceKey(h.res), 'hourly'))!) as { spec: string };
  await h.res.redis.hset(scheduleSinceKey(h.res), 'hourly', JSON.stringify({ spec: prev.spec, since: Date.now() - 3 * HOUR }));
  const now = new Date();
  const missed = await checkMissedSchedules(h.res, now);
  expect(missed).toHaveLength(1);
  expect(missed[0]).toMatch(/^hourly@\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
  expect(await raised()).toBe(1);
  // Checking again does not repeat the notice.
  expect(await checkMissedSchedules(h.res, now)).toEqual([]);
  expect(await raised()).toBe(1);

  // The next tick had its scheduled run: nothing to report.
  const later = new Date(now.getTime() + HOUR);
  const tick = new Date(Math.floor((later.getTime() - 10 * 60_000) / HOUR) * HOUR);
  await h.res.runs.create({ runId: 'hourly-run-1', pipeline: 'hourly', trigger: 'schedule', createdAt: new Date(tick.getTime() + 1000) });
  expect(await checkMissedSchedules(h.res, later)).toEqual([]);
  expect(await raised()).toBe(1);
});
