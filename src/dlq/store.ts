/**
 * Storage of dead letters: one job per letter on the `dead-letter` queue
 * (visible in Bull Board with its full data), plus small Redis sorted sets
 * that index letters by time, run and original queue for the API's filters.
 *
 * No worker serves the `dead-letter` queue, and the queue is kept paused: its
 * jobs stay in `waiting` (shown as paused in Bull Board), are never taken even
 * if someone starts a worker on it, and never expire or get promoted the way
 * delayed jobs would.
 *
 * Changes to the letters of one run are serialized by a short Redis lock per
 * run, so a failure handler, an API retry and the scheduled task never
 * interleave.
 */
import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import { QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import type { DeadLetter, DeadLetterSource, DeadLetterStatus } from './types';

const LOCK_TTL_MS = 30_000;

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

const keys = (res: Resources) => {
  const p = `${res.keyPrefix}:dlq`;
  return { all: `${p}:all`, run: (runId: string) => `${p}:run:${runId}`, queue: (q: string) => `${p}:queue:${q}`, lock: (runId: string) => `${p}:lock:${runId}` };
};

/** Dead letter id of a job id. */
export function letterId(jobId: string): string {
  return `dl-${jobId}`;
}

function queueOf(res: Resources) {
  return res.queues[QUEUES.deadLetter];
}

/** The job holding a letter, or undefined. */
export async function getLetterJob(res: Resources, id: string): Promise<Job<DeadLetter> | undefined> {
  return (await queueOf(res).getJob(id)) as Job<DeadLetter> | undefined;
}

/** A letter, or null. */
export async function getLetter(res: Resources, id: string): Promise<DeadLetter | null> {
  const job = await getLetterJob(res, id);
  return job?.data?.id ? job.data : null;
}

/** Create or replace a letter (idempotent: the job id is the letter id). */
export async function putLetter(res: Resources, letter: DeadLetter): Promise<void> {
  const q = queueOf(res);
  const existing = await getLetterJob(res, letter.id);
  if (existing) {
    await existing.updateData(letter);
  } else {
    if (!(await q.isPaused())) await q.pause();
    await q.add(letter.jobName, letter, { jobId: letter.id, removeOnComplete: false, removeOnFail: false });
  }
  const score = Date.parse(letter.timestamps.deadLetteredAt);
  const k = keys(res);
  await res.redis.multi().zadd(k.all, score, letter.id).zadd(k.run(letter.runId), score, letter.id).zadd(k.queue(letter.queue), score, letter.id).exec();
}

/** Remove a letter. Returns false if there was none. */
export async function removeLetter(res: Resources, id: string): Promise<boolean> {
  const job = await getLetterJob(res, id);
  const k = keys(res);
  const multi = res.redis.multi().zrem(k.all, id);
  if (job?.data?.runId) multi.zrem(k.run(job.data.runId), id).zrem(k.queue(job.data.queue), id);
  await multi.exec();
  if (!job) return false;
  await job.remove();
  return true;
}

/** Filters and page of {@link listLetters}. */
export interface ListOptions {
  runId?: string;
  queue?: DeadLetterSource;
  status?: DeadLetterStatus;
  limit: number;
  offset: number;
}

/** Letters, newest first, filtered and paginated. `total` counts the filtered set. */
export async function listLetters(res: Resources, o: ListOptions): Promise<{ letters: DeadLetter[]; total: number }> {
  const k = keys(res);
  const index = o.runId ? k.run(o.runId) : o.queue ? k.queue(o.queue) : k.all;
  const needsScan = (o.runId && o.queue) || o.status;
  if (!needsScan) {
    const [ids, total] = await Promise.all([res.redis.zrevrange(index, o.offset, o.offset + o.limit - 1), res.redis.zcard(index)]);
    return { letters: await loadAll(res, ids), total };
  }
  // Extra filters: walk the narrowest index in pages and filter the letters.
  const out: DeadLetter[] = [];
  let total = 0;
  const PAGE = 200;
  for (let start = 0; ; start += PAGE) {
    const ids = await res.redis.zrevrange(index, start, start + PAGE - 1);
    if (!ids.length) break;
    for (const l of await loadAll(res, ids)) {
      if (o.queue && l.queue !== o.queue) continue;
      if (o.status && l.status !== o.status) continue;
      if (total >= o.offset && out.length < o.limit) out.push(l);
      total++;
    }
  }
  return { letters: out, total };
}

async function loadAll(res: Resources, ids: string[]): Promise<DeadLetter[]> {
  const letters = await Promise.all(ids.map((id) => getLetter(res, id)));
  const gone = ids.filter((_, i) => !letters[i]);
  // A letter removed outside the API (e.g. in Bull Board): drop it from the indexes.
  if (gone.length) await res.redis.zrem(keys(res).all, ...gone);
  return letters.filter((l): l is DeadLetter => l !== null);
}

/** Ids of every letter, oldest first (for the scheduled task). */
export async function allLetterIds(res: Resources): Promise<string[]> {
  return res.redis.zrange(keys(res).all, 0, -1);
}

/**
 * Run `fn` holding the lock of a run's letters. Waits up to `waitMs` for the
 * lock; returns `{ locked: false }` if it stays taken.
 */
export async function withRunLock<T>(res: Resources, runId: string, waitMs: number, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
  const key = keys(res).lock(runId);
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + waitMs;
  while ((await res.redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    if (Date.now() >= deadline) return { locked: false };
    // Polling is the only way to wait for a plain Redis lock; holders keep it for milliseconds.
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return { locked: true, value: await fn() };
  } finally {
    await res.redis.eval(RELEASE_LUA, 1, key, token).catch(() => undefined);
  }
}
