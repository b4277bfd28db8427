/** Types shared by the parts of the LLM cleaning engine. */
import type { Redis } from 'ioredis';
import type OpenAI from 'openai';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { PriceTable } from './prices';

/** Something the engine reports to its host (metrics, notices, run status). */
export type LlmEvent =
  | { type: 'budget_reached'; runId: string; spentUsd: number; budgetUsd: number; day: string }
  | { type: 'breaker_opened'; runId: string; model: string; failures: number; cooldownMs: number }
  | { type: 'breaker_closed'; runId: string; model: string }
  | { type: 'rate_limited'; runId: string; model: string; retryAfterMs: number; reason: '429' | 'remaining_requests' | 'remaining_tokens' };

/** Knobs with production defaults; tests shorten the waits. */
export interface LlmTuning {
  /** Tries of one batch (transport errors and bad replies alike) before it is split. Default 3. */
  batchAttempts: number;
  /** Tries of one row alone after its batch gave up. Default 2. */
  singleAttempts: number;
  /** 429 replies tolerated per request before its rows fail. Default 20. */
  max429: number;
  /** First backoff delay; doubles per attempt with full jitter. Default 500 ms. */
  backoffBaseMs: number;
  /** Backoff ceiling. Default 30 s. */
  backoffMaxMs: number;
  /** Wait after a 429 without Retry-After headers. Default 1 s. */
  default429WaitMs: number;
  /** Consecutive failures (5xx, timeouts, connection errors) that open a model's breaker. Default 5. */
  breakerThreshold: number;
  /** How long an open breaker blocks its model before a half-open probe. Default 30 s. */
  breakerCooldownMs: number;
  /** Extra width of the requests-per-second window, for clock granularity. Default 10 ms. */
  rpsWindowMarginMs: number;
  /** A cleaned text longer than max(input × ratio, maxOutputMin) characters is rejected. Default 10. */
  maxOutputRatio: number;
  /** See {@link LlmTuning.maxOutputRatio}. Default 4000. */
  maxOutputMin: number;
}

/** Defaults of {@link LlmTuning}. */
export const DEFAULT_TUNING: Readonly<LlmTuning> = Object.freeze({
  batchAttempts: 3,
  singleAttempts: 2,
  max429: 20,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  default429WaitMs: 1000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  rpsWindowMarginMs: 10,
  maxOutputRatio: 10,
  maxOutputMin: 4000,
});

/** Everything the engine needs from its host. One set per process is fine; cleaners share it. */
export interface LlmEngineDeps {
  /** ioredis connection shared by all workers: limiter, cache, budget and breaker state. */
  redis: Redis;
  /** Every Redis key of the engine starts with this, e.g. `${QUEUE_PREFIX}:llm`. */
  keyPrefix: string;
  logger: Logger;
  llm: Config['llm'];
  /** From `loadPrices(resourcesDir)`. */
  prices: PriceTable;
  /** Called for budget, breaker and rate-limit events. Must not throw. */
  onEvent?: (e: LlmEvent) => void;
  /** Injected client (tests); default `new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout })`. */
  client?: OpenAI;
  /** Overrides of {@link DEFAULT_TUNING}. */
  tuning?: Partial<LlmTuning>;
}
