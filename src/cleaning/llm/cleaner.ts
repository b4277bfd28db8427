/**
 * `createLlmCleaner`: a RowCleaner for one chunk. Empty rows pass through,
 * identical prompts in the chunk are sent once, the shared Redis cache answers
 * what it can, and the rest go out in batches with bounded concurrency.
 */
import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import type { Redis } from 'ioredis';
import { NonRetryableError } from '../../errors';
import type { TaskDef } from '../../resources/schemas';
import type { CleanInput, CleanOutput, RowCleaner } from '../types';
import { LlmEngine, type Unit, type UnitResult } from './engine';
import { Sender } from './sender';
import { cacheKeyOf, renderPrompt } from './prompt';
import { DEFAULT_TUNING, type LlmEngineDeps } from './types';

interface WorkUnit extends Unit {
  rows: number[];
}

const MGET_SLICE = 500;

/** Create the cleaner for one chunk of a run. */
export function createLlmCleaner(task: TaskDef, deps: LlmEngineDeps, ctx: { runId: string; chunkId?: string }): RowCleaner {
  const model = task.model;
  if (!model) throw new NonRetryableError(`task ${task.task_name}: model is required for the llm engine`);
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const client =
    deps.client ??
    new OpenAI({ apiKey: deps.llm.apiKey ?? 'not-needed', baseURL: deps.llm.baseUrl, maxRetries: 0, timeout: deps.llm.timeoutMs });
  const sender = new Sender({ ...task, model }, deps, client, tuning, ctx.runId);
  const engine = new LlmEngine(sender, tuning);
  const cacheOn = task.cache;
  const cacheKey = (m: string, rendered: string): string => `${deps.keyPrefix}:cache:${cacheKeyOf(task, m, rendered)}`;
  const logger = deps.logger.child({ runId: ctx.runId, chunkId: ctx.chunkId, task: task.task_name });

  async function fromCache(units: WorkUnit[], out: CleanOutput[], inputs: CleanInput[]): Promise<WorkUnit[]> {
    let misses = units;
    for (const m of [model!, task.fallback_model].filter((x): x is string => !!x)) {
      const next: WorkUnit[] = [];
      for (let i = 0; i < misses.length; i += MGET_SLICE) {
        const slice = misses.slice(i, i + MGET_SLICE);
        const values = await deps.redis.mget(...slice.map((u) => cacheKey(m, u.rendered)));
        slice.forEach((u, k) => {
          const v = values[k];
          if (typeof v !== 'string') return void next.push(u);
          for (const r of u.rows) out[r] = ok(inputs[r]!.id, v, m);
          sender.usage.cacheHits += u.rows.length;
        });
      }
      misses = next;
    }
    return misses;
  }

  async function store(redis: Redis, units: WorkUnit[], results: UnitResult[]): Promise<void> {
    if (!cacheOn) return;
    const multi = redis.multi();
    let n = 0;
    results.forEach((r, i) => {
      if (r.ok) {
        multi.set(cacheKey(r.model, units[i]!.rendered), r.text, 'EX', deps.llm.cacheTtlSeconds);
        n++;
      }
    });
    if (n) await multi.exec();
  }

  return {
    usage: () => ({ ...sender.usage }),
    async clean(rows: CleanInput[], signal?: AbortSignal): Promise<CleanOutput[]> {
      const out: CleanOutput[] = new Array(rows.length);
      const byPrompt = new Map<string, WorkUnit>();
      rows.forEach((row, i) => {
        if (row.text === null || row.text.trim() === '') {
          out[i] = { id: row.id, cleaned_text: row.text, status: 'cleaned', error: null, llm_model: null };
          return;
        }
        const rendered = renderPrompt(task.prompt, row.text, row.metadata);
        const u = byPrompt.get(rendered) ?? { rendered, rowIds: [], rows: [] };
        u.rows.push(i);
        u.rowIds.push(row.id);
        byPrompt.set(rendered, u);
      });
      let todo = [...byPrompt.values()];
      if (cacheOn && todo.length) todo = await fromCache(todo, out, rows);
      const batches: WorkUnit[][] = [];
      for (let i = 0; i < todo.length; i += task.batch_size) batches.push(todo.slice(i, i + task.batch_size));

      // Siblings stop as soon as one batch hits the budget (or the caller aborts).
      const stop = new AbortController();
      // Every in-flight request and sleep listens on it; that is expected, not a leak.
      setMaxListeners(0, stop.signal);
      const onAbort = (): void => stop.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let next = 0;
      let firstError: unknown;
      const worker = async (): Promise<void> => {
        while (next < batches.length && !stop.signal.aborted) {
          const batch = batches[next++]!;
          try {
            const results = await engine.run(batch, stop.signal);
            results.forEach((r, k) => {
              for (const rowIdx of batch[k]!.rows) {
                const id = rows[rowIdx]!.id;
                out[rowIdx] = r.ok ? ok(id, r.text, r.model) : { id, cleaned_text: null, status: 'failed', error: r.error, llm_model: null };
              }
            });
            await store(deps.redis, batch, results);
          } catch (err) {
            firstError ??= err;
            stop.abort(err);
          }
        }
      };
      const width = Math.max(1, Math.min(task.concurrency ?? deps.llm.concurrency, batches.length));
      try {
        await Promise.all(Array.from({ length: width }, worker));
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      if (firstError !== undefined) throw firstError;
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const failed = out.filter((o) => o.status === 'failed').length;
      logger.debug('llm: chunk cleaned', { rows: rows.length, unique: byPrompt.size, sent: todo.length, failed, usage: sender.usage });
      return out;
    },
  };
}

function ok(id: number, text: string, model: string): CleanOutput {
  return { id, cleaned_text: text, status: 'cleaned', error: null, llm_model: model };
}
