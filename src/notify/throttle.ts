/**
 * De-duplication and throttling of notices in Redis, shared by all processes
 * (Alertmanager-like grouping):
 *
 * - The first event of a fingerprint opens a group (window) and schedules ONE
 *   `send` job on the notify queue after `groupWaitMs`.
 * - Events of the same fingerprint within `windowSeconds` only bump the count.
 * - If events arrive after the first notice was sent, one follow-up `summary`
 *   job is scheduled for the window's end.
 * - After the window a new group starts.
 *
 * Redis layout (`<p>` = keyPrefix, `<h>` = fingerprint hash):
 * `<p>:notice:cur:<h>` → current window id (expires with the window);
 * `<p>:notice:grp:<h>:<windowId>` → hash { count, firstAt, lastAt, event, lastEvent, windowEnd, reported, done:* };
 * `<p>:stats` → hash `<kind>:<channel>` → notices (channel `raised` counts events).
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger';
import { fingerprintHash, noticeEventSchema, noticeFingerprint, type NoticeEvent } from './events';

/** Default delay between the first event of a group and its notice. */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
/** Default throttle window (NOTIFY_THROTTLE_SECONDS). */
export const DEFAULT_WINDOW_SECONDS = 900;
/** How long a group's data outlives its window, so late retries can still read it. */
const RETAIN_AFTER_WINDOW_MS = 24 * 3600 * 1000;

/** Data of a `send` job on the notify queue. */
export const notifyJobSchema = z.object({
  fingerprint: z.string().min(1),
  hash: z.string().min(1),
  windowId: z.string().min(1),
  /** `initial`: the group's first notice; `summary`: the follow-up at window end. */
  phase: z.enum(['initial', 'summary']),
  event: noticeEventSchema,
});
/** Data of a `send` job. */
export type NotifyJobData = z.infer<typeof notifyJobSchema>;
/** Job name used on the notify queue. */
export const NOTIFY_JOB_NAME = 'send';

/** Attempts and backoff of notify jobs: a failed send is retried, never blocking a pipeline. */
export const NOTIFY_JOB_OPTIONS: JobsOptions = Object.freeze({
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
});

/** What {@link raiseNotice} needs. */
export interface RaiseDeps {
  redis: Redis;
  keyPrefix: string;
  /** The notify queue. */
  queue: Queue;
  logger: Logger;
  /** Default 30 000. */
  groupWaitMs?: number;
  /** Default 900 (NOTIFY_THROTTLE_SECONDS). */
  windowSeconds?: number;
  /** Overrides merged over {@link NOTIFY_JOB_OPTIONS} (tests shorten the backoff). */
  jobOptions?: Partial<JobsOptions>;
  /** Give up (log, return) when Redis does not answer within this time. Default 5000. */
  timeoutMs?: number;
}

/** Redis keys of one fingerprint. */
export function groupKeys(keyPrefix: string, hash: string, windowId?: string) {
  return {
    current: `${keyPrefix}:notice:cur:${hash}`,
    groupPrefix: `${keyPrefix}:notice:grp:${hash}:`,
    group: `${keyPrefix}:notice:grp:${hash}:${windowId ?? ''}`,
    stats: `${keyPrefix}:stats`,
  };
}

// Returns { isNew, count, windowId, scheduleSummary, windowEnd }.
const RAISE_LUA = `
redis.call('HINCRBY', KEYS[2], ARGV[7] .. ':raised', 1)
local wid = redis.call('GET', KEYS[1])
if not wid then
  wid = ARGV[1]
  local dk = ARGV[6] .. wid
  local wend = tostring(tonumber(ARGV[1]) + tonumber(ARGV[2]))
  redis.call('SET', KEYS[1], wid, 'PX', ARGV[2])
  redis.call('DEL', dk)
  redis.call('HSET', dk, 'count', 1, 'firstAt', ARGV[5], 'lastAt', ARGV[5], 'event', ARGV[4], 'windowEnd', wend)
  redis.call('PEXPIRE', dk, ARGV[3])
  return {1, 1, wid, 0, wend}
end
local dk = ARGV[6] .. wid
local c = redis.call('HINCRBY', dk, 'count', 1)
redis.call('HSET', dk, 'lastAt', ARGV[5], 'lastEvent', ARGV[4])
local summary = 0
if redis.call('HEXISTS', dk, 'reported') == 1 and redis.call('HSETNX', dk, 'summaryScheduled', '1') == 1 then summary = 1 end
return {0, c, wid, summary, redis.call('HGET', dk, 'windowEnd') or '0'}
`;

/**
 * Record an event and, when it opens a group, schedule its notice.
 * Called by pipeline code: it only touches Redis and never throws (errors are logged and swallowed).
 */
export async function raiseNotice(deps: RaiseDeps, e: NoticeEvent): Promise<{ grouped: boolean; count: number }> {
  const timeoutMs = deps.timeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ grouped: boolean; count: number }>((resolve) => {
    timer = setTimeout(() => {
      deps.logger.error('notice not recorded: Redis did not answer in time', { kind: e.kind, timeoutMs });
      resolve({ grouped: false, count: 0 });
    }, timeoutMs);
  });
  try {
    return await Promise.race([raiseUnsafe(deps, e), timeout]);
  } catch (err) {
    deps.logger.error('notice not recorded', { kind: e.kind, pipeline: e.pipeline, runId: e.runId, err });
    return { grouped: false, count: 0 };
  } finally {
    clearTimeout(timer);
  }
}

async function raiseUnsafe(deps: RaiseDeps, raw: NoticeEvent): Promise<{ grouped: boolean; count: number }> {
  const e = noticeEventSchema.parse(raw);
  const fingerprint = noticeFingerprint(e);
  const hash = fingerprintHash(fingerprint);
  const keys = groupKeys(deps.keyPrefix, hash);
  const windowMs = Math.max(1, Math.round((deps.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000));
  const now = Date.now();
  const res = (await deps.redis.eval(
    RAISE_LUA, 2, keys.current, keys.stats,
    String(now), String(windowMs), String(windowMs + RETAIN_AFTER_WINDOW_MS), JSON.stringify(e), e.occurredAt, keys.groupPrefix, e.kind,
  )) as [number, number, string, number, string];
  const [isNew, count, windowId, scheduleSummary, windowEnd] = res;
  const data: NotifyJobData = { fingerprint, hash, windowId, phase: 'initial', event: e };
  const opts = { ...NOTIFY_JOB_OPTIONS, ...deps.jobOptions };
  if (isNew === 1) {
    try {
      await deps.queue.add(NOTIFY_JOB_NAME, data, { ...opts, delay: deps.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS, jobId: `notify-${hash}-${windowId}-initial` });
    } catch (err) {
      // Without a job the group would never send: drop it so the next event tries again.
      await deps.redis.del(keys.current).catch(() => undefined);
      throw err;
    }
  } else if (scheduleSummary === 1) {
    const delay = Math.max(0, Number(windowEnd) - now) + 50;
    await deps.queue.add(NOTIFY_JOB_NAME, { ...data, phase: 'summary' }, { ...opts, delay, jobId: `notify-${hash}-${windowId}-summary` });
  }
  return { grouped: isNew !== 1, count };
}

/** A group as the sender sees it. */
export interface GroupState {
  count: number;
  firstAt: string;
  lastAt: string;
  /** Count already covered by the initial notice (set when it was claimed). */
  reported?: number;
  /** Channels already delivered for a phase, so retries do not resend them. */
  done: Set<string>;
  /** The group's most recent event (a follow-up describes it), when it has more than one. */
  lastEvent?: NoticeEvent;
}

const CLAIM_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[1] == 'initial' then redis.call('HSET', KEYS[1], 'reported', redis.call('HGET', KEYS[1], 'count')) end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * Read a group for sending. For the initial phase this also records the count
 * it reports, so later events schedule a follow-up. Returns null when the group expired.
 */
export async function claimGroup(redis: Redis, keyPrefix: string, data: NotifyJobData): Promise<GroupState | null> {
  const key = groupKeys(keyPrefix, data.hash, data.windowId).group;
  const flat = (await redis.eval(CLAIM_LUA, 1, key, data.phase)) as string[] | null;
  if (!flat) return null;
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const done = new Set<string>();
  const prefix = `done:${data.phase}:`;
  for (const k of Object.keys(h)) if (k.startsWith(prefix)) done.add(k.slice(prefix.length));
  return {
    count: Number(h.count ?? 1),
    firstAt: h.firstAt ?? data.event.occurredAt,
    lastAt: h.lastAt ?? data.event.occurredAt,
    reported: h.reported !== undefined ? Number(h.reported) : undefined,
    done,
    lastEvent: h.lastEvent ? parseEvent(h.lastEvent) : undefined,
  };
}

function parseEvent(json: string): NoticeEvent | undefined {
  try {
    const r = noticeEventSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Mark a channel delivered for a phase of a group, and count it in the stats hash. */
export async function markDelivered(redis: Redis, keyPrefix: string, data: NotifyJobData, channel: string, groupExists: boolean): Promise<void> {
  const keys = groupKeys(keyPrefix, data.hash, data.windowId);
  const tx = redis.multi();
  // An expired group is not recreated (it would have no TTL).
  if (groupExists) tx.hset(keys.group, `done:${data.phase}:${channel}`, '1');
  await tx.hincrby(keys.stats, `${data.event.kind}:${channel}`, 1).exec();
}

/** Notices per `<kind>:<channel>` (channels: email, slack, log; `raised` counts raised events). */
export async function noticeStats(redis: Redis, keyPrefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(`${keyPrefix}:stats`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}
