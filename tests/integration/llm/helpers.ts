/** Shared setup for the LLM engine's integration tests: real Redis, the fake server, a task. */
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { silentLogger } from '../../../src/logger';
import { taskSchema, type TaskDef } from '../../../src/resources/schemas';
import type { CleanInput } from '../../../src/cleaning/types';
import type { Config } from '../../../src/config';
import { parsePrices, type LlmEngineDeps, type LlmEvent } from '../../../src/cleaning/llm';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Prices that make costs easy to compute: $1 per 1M tokens in and out. */
export const TEST_PRICES = parsePrices(`models:
  default: { input: 1, output: 1 }
  test-model: { input: 1, output: 1 }
  fallback-model: { input: 1, output: 1 }
`);

/** A unique key prefix per test file (and per call). */
export function uniquePrefix(area: string): string {
  return `test-llm-${area}-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
}

/** Delete every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** An LLM task with test defaults. */
export function makeTask(over: Partial<Record<keyof TaskDef, unknown>> = {}): TaskDef {
  return taskSchema.parse({ task_name: 'llm_test', engine: 'llm', model: 'test-model', batch_size: 10, ...over });
}

/** LLM settings for tests: fast timeouts, no limits unless given. */
export function makeLlm(url: string, over: Partial<Config['llm']> = {}): Config['llm'] {
  return { apiKey: 'sk-test-not-real', baseUrl: url, concurrency: 4, timeoutMs: 2000, cacheTtlSeconds: 3600, ...over };
}

/** Engine deps with an event log. */
export function makeDeps(redis: Redis, keyPrefix: string, llm: Config['llm'], over: Partial<LlmEngineDeps> = {}): LlmEngineDeps & { events: LlmEvent[] } {
  const events: LlmEvent[] = [];
  return {
    redis,
    keyPrefix,
    logger: silentLogger(),
    llm,
    prices: TEST_PRICES,
    onEvent: (e) => events.push(e),
    tuning: { backoffBaseMs: 5, backoffMaxMs: 50, default429WaitMs: 50, breakerCooldownMs: 300 },
    events,
    ...over,
  };
}

/** Rows 1..n with distinct, messy texts. */
export function makeRows(n: number, start = 1, text = (i: number) => `  row   number ${i}\n with  spaces `): CleanInput[] {
  return Array.from({ length: n }, (_v, k) => ({ id: start + k, text: text(start + k), metadata: null }));
}

/** A client like the default one, for tests that inject it. */
export function makeClient(url: string, timeoutMs = 2000): OpenAI {
  return new OpenAI({ apiKey: 'sk-test-not-real', baseURL: url, maxRetries: 0, timeout: timeoutMs });
}
