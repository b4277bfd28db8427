/**
 * Run status kept in Redis, readable by the API while workers write it.
 *
 * Keys (under the queue prefix):
 * - `run:<id>` hash: state, timestamps, counts, outputs, error
 * - `run:<id>:chunks` hash: chunk index → JSON summary of its last successful attempt
 * - `run:<id>:failed-chunks` hash: chunk index → why it failed for good
 * - `runs` sorted set: run ids by creation time
 *
 * Chunk summaries are applied with a Lua script that subtracts a chunk's
 * previous summary before adding the new one, so a chunk that runs twice
 * (after a crash or a retry) is never counted twice.
 */
import type { Redis } from 'ioredis';
import { taskSchema, type TaskDef } from '../resources/schemas';
import type { LlmUsage } from '../types';

/** The states of the run state machine (contract). */
export type RunState = 'queued' | 'collecting' | 'cleaning' | 'finalizing' | 'completed' | 'failed';

/** The run status as `GET /api/runs/:runId` returns it. */
export interface RunStatus {
  runId: string;
  pipeline: string;
  state: RunState;
  trigger: string;
  /** 0-100. */
  progress: number;
  counts: { rowsCollected: number; rowsCleaned: number; rowsFailed: number; chunks: number; chunksDone: number; chunksFailed: number; duplicatesRemoved: number; rowsOutput: number };
  timings: { createdAt: string; startedAt?: string; finishedAt?: string; steps: Record<string, number> };
  outputs: { raw?: string; processed?: string; csv?: string; report?: string };
  llm: { requests: number; tokens: number; costUsd: number; cacheHits: number; estimatedCostUsd?: number; breaker?: string };
  quality?: { score: number; passed: boolean };
  task?: string;
  error: { message: string; step?: string } | null;
}

const CHUNK_FIELDS = ['rows', 'cleaned', 'failed', 'requests', 'tokens', 'costUsd', 'cacheHits'] as const;

const APPLY_CHUNK_LUA = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
local new = cjson.decode(ARGV[2])
local fields = cjson.decode(ARGV[3])
if old then
  local o = cjson.decode(old)
  for _, f in ipairs(fields) do redis.call('HINCRBYFLOAT', KEYS[1], 'c:' .. f, -(tonumber(o[f]) or 0)) end
else
  redis.call('HINCRBY', KEYS[1], 'chunksDone', 1)
end
for _, f in ipairs(fields) do redis.call('HINCRBYFLOAT', KEYS[1], 'c:' .. f, tonumber(new[f]) or 0) end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

/** A chunk's contribution to the run counters. */
export interface ChunkCounts {
  rows: number;
  cleaned: number;
  failed: number;
  llm: LlmUsage;
}

/** Reads and writes run status in Redis. */
export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(runId: string): string {
    return `${this.prefix}:run:${runId}`;
  }

  /** Record a new run as queued. */
  async create(run: { runId: string; pipeline: string; trigger: string; task?: string; createdAt?: Date }): Promise<void> {
    const createdAt = run.createdAt ?? new Date();
    await this.redis
      .multi()
      .hset(this.key(run.runId), {
        runId: run.runId,
        pipeline: run.pipeline,
        trigger: run.trigger,
        state: 'queued',
        task: run.task ?? '',
        createdAt: createdAt.toISOString(),
        progress: '0',
      })
      .zadd(`${this.prefix}:runs`, createdAt.getTime(), run.runId)
      .exec();
  }

  /** Merge fields into the run hash (state, outputs, timings, error …). */
  async update(runId: string, fields: Partial<Record<string, string | number>>): Promise<void> {
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
    if (Object.keys(clean).length) await this.redis.hset(this.key(runId), clean);
  }

  /** Set the state, stamping start/finish times. */
  async setState(runId: string, state: RunState, extra: Record<string, string | number> = {}): Promise<void> {
    const now = new Date().toISOString();
    const fields: Record<string, string | number> = { state, ...extra };
    if (state === 'collecting') fields.startedAt = now;
    if (state === 'completed' || state === 'failed') {
      fields.finishedAt = now;
      fields.progress = state === 'completed' ? 100 : fields.progress ?? '';
    }
    if (fields.progress === '') delete fields.progress;
    await this.redis.hset(this.key(runId), fields);
    if (state === 'collecting') await this.redis.hsetnx(this.key(runId), 'firstStartedAt', now);
  }

  /** Apply one chunk's summary idempotently (replaces an earlier attempt's summary). */
  async applyChunk(runId: string, chunkIndex: number, counts: ChunkCounts): Promise<void> {
    const flat = {
      rows: counts.rows,
      cleaned: counts.cleaned,
      failed: counts.failed,
      requests: counts.llm.requests,
      tokens: counts.llm.tokens,
      costUsd: counts.llm.costUsd,
      cacheHits: counts.llm.cacheHits,
    };
    await this.redis.eval(APPLY_CHUNK_LUA, 2, this.key(runId), `${this.key(runId)}:chunks`, String(chunkIndex), JSON.stringify(flat), JSON.stringify(CHUNK_FIELDS));
  }

  /** Remember that a chunk failed for good, and why (its rows will be kept and marked failed). */
  async markChunkFailed(runId: string, chunkIndex: number, reason = 'failed'): Promise<void> {
    await this.redis.hset(`${this.key(runId)}:failed-chunks`, String(chunkIndex), reason);
  }

  /** Forget a failed mark (a dead-lettered chunk was retried successfully). */
  async clearChunkFailed(runId: string, chunkIndex: number): Promise<void> {
    await this.redis.hdel(`${this.key(runId)}:failed-chunks`, String(chunkIndex));
  }

  /** Chunks that failed for good, with the reason recorded when they failed. */
  async chunkFailures(runId: string): Promise<Map<number, string>> {
    const h = await this.redis.hgetall(`${this.key(runId)}:failed-chunks`);
    return new Map(Object.entries(h).map(([k, v]) => [Number(k), v]));
  }

  /** The run status, or null if unknown. */
  async get(runId: string): Promise<RunStatus | null> {
    const [h, failedChunks] = await Promise.all([this.redis.hgetall(this.key(runId)), this.redis.hlen(`${this.key(runId)}:failed-chunks`)]);
    if (!h.runId) return null;
    return toStatus(h, failedChunks);
  }

  /** The task definition snapshotted when the run started collecting, if any. */
  async taskSnapshot(runId: string): Promise<TaskDef | undefined> {
    const raw = await this.redis.hget(this.key(runId), 'taskDef');
    return raw ? taskSchema.parse(JSON.parse(raw)) : undefined;
  }

  /** Newest runs first. */
  async list(limit = 20, offset = 0): Promise<RunStatus[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}:runs`, offset, offset + limit - 1);
    const out = await Promise.all(ids.map((id) => this.get(id)));
    return out.filter((r): r is RunStatus => r !== null);
  }

  /**
   * Remove status records of finished runs created before `before`, so Redis
   * stays bounded over years. Unfinished runs are kept whatever their age.
   * @returns the removed run ids.
   */
  async prune(before: Date, batch = 500): Promise<string[]> {
    const removed: string[] = [];
    let offset = 0;
    for (;;) {
      const ids = await this.redis.zrangebyscore(`${this.prefix}:runs`, '-inf', `(${before.getTime()}`, 'LIMIT', offset, batch);
      if (!ids.length) return removed;
      const states = await Promise.all(ids.map((id) => this.redis.hget(this.key(id), 'state')));
      const tx = this.redis.multi();
      let kept = 0;
      ids.forEach((id, i) => {
        if (states[i] === 'completed' || states[i] === 'failed' || states[i] === null) {
          tx.del(this.key(id), `${this.key(id)}:chunks`, `${this.key(id)}:failed-chunks`).zrem(`${this.prefix}:runs`, id);
          removed.push(id);
        } else kept++;
      });
      await tx.exec();
      offset += kept;
    }
  }

  /** Run ids created in [since, until]. */
  async idsBetween(since: Date, until: Date): Promise<string[]> {
    return this.redis.zrangebyscore(`${this.prefix}:runs`, since.getTime(), until.getTime());
  }
}

function num(v: string | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function json<T>(v: string | undefined, fallback: T): T {
  if (!v) return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

function toStatus(h: Record<string, string>, failedChunks: number): RunStatus {
  const state = h.state as RunState;
  const rowsCollected = num(h.rowsCollected);
  const chunks = num(h.chunks);
  const chunksDone = num(h.chunksDone);
  // Progress: collect 0-10 %, clean 10-90 % by chunks, finalize 90-100 %.
  let progress = num(h.progress);
  if (state === 'cleaning' && chunks > 0) progress = Math.max(progress, 10 + Math.floor((80 * Math.min(chunksDone + failedChunks, chunks)) / chunks));
  return {
    runId: h.runId!,
    pipeline: h.pipeline ?? '',
    state,
    trigger: h.trigger ?? '',
    progress: Math.min(100, Math.round(progress)),
    counts: {
      rowsCollected,
      rowsCleaned: h.final_rowsCleaned !== undefined ? num(h.final_rowsCleaned) : num(h['c:cleaned']),
      rowsFailed: h.final_rowsFailed !== undefined ? num(h.final_rowsFailed) : num(h['c:failed']),
      chunks,
      chunksDone,
      chunksFailed: failedChunks,
      duplicatesRemoved: num(h.duplicatesRemoved),
      rowsOutput: num(h.rowsOutput),
    },
    timings: { createdAt: h.createdAt ?? '', startedAt: h.firstStartedAt, finishedAt: h.finishedAt, steps: json(h.timings, {}) },
    outputs: json(h.outputs, {}),
    llm: {
      requests: num(h['c:requests']),
      tokens: num(h['c:tokens']),
      costUsd: Math.round(num(h['c:costUsd']) * 1e6) / 1e6,
      cacheHits: num(h['c:cacheHits']),
      estimatedCostUsd: h.estimatedCostUsd !== undefined ? num(h.estimatedCostUsd) : undefined,
      breaker: h.breaker || undefined,
    },
    quality: h.qualityScore !== undefined ? { score: num(h.qualityScore), passed: h.qualityPassed === '1' } : undefined,
    task: h.task || undefined,
    error: h.error ? { message: h.error, step: h.errorStep || undefined } : null,
  };
}
