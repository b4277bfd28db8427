/**
 * Missed schedule ticks. A cron tick can pass without a run: the whole
 * cluster was down, Redis was unreachable, or the tick's run could not start.
 * Every few minutes this check looks at each cron schedule's latest tick that
 * is older than a grace period; if no scheduled run of that pipeline started
 * since then, it raises one `schedule_missed` notice for that tick.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Resources } from '../context';
import { listSchedules, scheduleSinceKey } from '../schedules';
import { notice } from './notices';

/** Ticks younger than this are not judged yet (the run may still be starting). */
export const MISSED_GRACE_MS = 10 * 60_000;

/** Check every cron schedule; returns `pipeline@tick` for each tick reported as missed. */
export async function checkMissedSchedules(res: Resources, now = new Date(), graceMs = MISSED_GRACE_MS): Promise<string[]> {
  const since = await res.redis.hgetall(scheduleSinceKey(res));
  const missed: string[] = [];
  for (const s of await listSchedules(res)) {
    if (!s.cron) continue;
    const tick = CronExpressionParser.parse(s.cron, { currentDate: new Date(now.getTime() - graceMs), tz: s.tz }).prev().toDate();
    const effective = since[s.pipeline] ? (JSON.parse(since[s.pipeline]!) as { since: number }).since : now.getTime();
    if (tick.getTime() < effective) continue; // the schedule did not exist yet at that tick
    const runs = await Promise.all((await res.runs.idsBetween(tick, now)).map((id) => res.runs.get(id)));
    if (runs.some((r) => r?.pipeline === s.pipeline && r.trigger === 'schedule')) continue;
    // One notice per tick, whichever process checks first.
    const claimed = await res.redis.set(`${res.keyPrefix}:schedules:missed:${s.pipeline}:${tick.getTime()}`, '1', 'EX', 14 * 24 * 3600, 'NX');
    if (claimed !== 'OK') continue;
    missed.push(`${s.pipeline}@${tick.toISOString()}`);
    await notice(res, {
      kind: 'schedule_missed',
      pipeline: s.pipeline,
      step: 'schedule',
      scheduledFor: tick.toISOString(),
      error: { message: `no scheduled run of ${s.pipeline} started for the tick at ${tick.toISOString()} (cron "${s.cron}"${s.tz ? ` ${s.tz}` : ''})` },
      kept: 'nothing ran for this tick; start it by hand if the data is needed',
    });
  }
  return missed;
}
