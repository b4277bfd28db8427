/**
 * Pipeline schedules as BullMQ job schedulers on the `maintenance` queue. A
 * scheduler fires a small `schedule` job; its processor starts a real run
 * (so every run, scheduled or not, has a clean run id as its job id).
 *
 * pipelines.yaml is the base. Changes made through the API are kept in Redis
 * (`schedules:overrides`) and win over the YAML until deleted, so a restart
 * does not undo an operator's change. A DELETE is remembered too.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { JOBS } from '../queues/catalog';
import type { Resources } from './context';
import { ValidationError } from './errors';
import { loadPipelines } from './resources/pipelines';

/** A schedule as the API shows it. */
export interface ScheduleInfo {
  pipeline: string;
  cron?: string;
  every?: number;
  tz?: string;
  next?: string;
  origin: 'yaml' | 'api';
}

/** Body of PUT /api/schedules/:pipeline. `every` (ms) is for tests and short intervals. */
export const scheduleBodySchema = z
  .object({
    cron: z.string().min(1).max(120).optional(),
    every: z.number().int().min(1000).max(366 * 24 * 3600 * 1000).optional(),
    tz: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => (b.cron === undefined) !== (b.every === undefined), { message: 'give exactly one of cron or every' });
/** A schedule change. */
export type ScheduleBody = z.infer<typeof scheduleBodySchema>;

const SCHEDULER_PREFIX = 'pipeline-';

/** Validate a cron expression and time zone; errors name the field. */
export function validateCron(cron: string, tz?: string): void {
  try {
    CronExpressionParser.parse(cron, tz ? { tz } : {});
  } catch (err) {
    throw new ValidationError(`invalid cron "${cron}"${tz ? ` in time zone ${tz}` : ''}: ${(err as Error).message}`, { field: 'cron' });
  }
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      throw new ValidationError(`unknown time zone "${tz}"`, { field: 'tz' });
    }
  }
}

function overridesKey(res: Resources): string {
  return `${res.keyPrefix}:schedules:overrides`;
}

/** Where the time each schedule took effect is kept (missed-tick detection ignores earlier ticks). */
export function scheduleSinceKey(res: Pick<Resources, 'keyPrefix'>): string {
  return `${res.keyPrefix}:schedules:since`;
}

async function upsert(res: Resources, pipeline: string, s: ScheduleBody): Promise<void> {
  const repeat = s.cron ? { pattern: s.cron, tz: s.tz } : { every: s.every! };
  const spec = JSON.stringify(repeat);
  const prev = await res.redis.hget(scheduleSinceKey(res), pipeline);
  if (!prev || (JSON.parse(prev) as { spec: string }).spec !== spec) {
    await res.redis.hset(scheduleSinceKey(res), pipeline, JSON.stringify({ spec, since: Date.now() }));
  }
  await res.queues.maintenance.upsertJobScheduler(`${SCHEDULER_PREFIX}${pipeline}`, repeat, {
    name: 'schedule',
    data: { task: 'schedule', pipeline },
    opts: JOBS.maintenance.schedule.options,
  });
}

/** Make the schedulers match pipelines.yaml plus API overrides. Removes schedulers of pipelines no longer defined. */
export async function syncSchedules(res: Resources): Promise<ScheduleInfo[]> {
  const pipelines = await loadPipelines(res.config.resourcesDir);
  const overrides = await res.redis.hgetall(overridesKey(res));
  const wanted = new Map<string, ScheduleBody>();
  for (const [name, def] of Object.entries(pipelines)) {
    const o = overrides[name];
    if (o === 'deleted') continue;
    if (o) wanted.set(name, JSON.parse(o) as ScheduleBody);
    else if (def.schedule) wanted.set(name, { cron: def.schedule, tz: def.tz });
  }
  for (const s of await res.queues.maintenance.getJobSchedulers(0, -1)) {
    const key = s.key ?? s.id;
    if (key?.startsWith(SCHEDULER_PREFIX) && !wanted.has(key.slice(SCHEDULER_PREFIX.length))) {
      await res.queues.maintenance.removeJobScheduler(key);
    }
  }
  for (const [name, s] of wanted) await upsert(res, name, s);
  res.logger.info('schedules synced', { count: wanted.size });
  return listSchedules(res);
}

/** Current schedules with their next fire time. */
export async function listSchedules(res: Resources): Promise<ScheduleInfo[]> {
  const overrides = await res.redis.hgetall(overridesKey(res));
  const out: ScheduleInfo[] = [];
  for (const s of await res.queues.maintenance.getJobSchedulers(0, -1)) {
    const key = s.key ?? s.id ?? '';
    if (!key.startsWith(SCHEDULER_PREFIX)) continue;
    const pipeline = key.slice(SCHEDULER_PREFIX.length);
    out.push({
      pipeline,
      cron: s.pattern ?? undefined,
      every: s.every ? Number(s.every) : undefined,
      tz: s.tz ?? undefined,
      next: s.next ? new Date(s.next).toISOString() : undefined,
      origin: overrides[pipeline] && overrides[pipeline] !== 'deleted' ? 'api' : 'yaml',
    });
  }
  return out.sort((a, b) => a.pipeline.localeCompare(b.pipeline));
}

/** Create or change a pipeline's schedule at run time. */
export async function putSchedule(res: Resources, pipeline: string, body: ScheduleBody): Promise<ScheduleInfo> {
  const pipelines = await loadPipelines(res.config.resourcesDir);
  if (!pipelines[pipeline]) throw new ValidationError(`unknown pipeline "${pipeline}"`, { field: 'pipeline' });
  if (body.cron) validateCron(body.cron, body.tz);
  await upsert(res, pipeline, body);
  await res.redis.hset(overridesKey(res), pipeline, JSON.stringify(body));
  return (await listSchedules(res)).find((s) => s.pipeline === pipeline)!;
}

/** Remove a pipeline's schedule (also one defined in YAML). Returns false if there was none. */
export async function deleteSchedule(res: Resources, pipeline: string): Promise<boolean> {
  const removed = await res.queues.maintenance.removeJobScheduler(`${SCHEDULER_PREFIX}${pipeline}`);
  await res.redis.hdel(scheduleSinceKey(res), pipeline);
  await res.redis.hset(overridesKey(res), pipeline, 'deleted');
  return removed;
}
