/**
 * The LLM cleaning engine: batched, cluster-wide rate-limited, cached,
 * cost-bounded and fault-tolerant. All shared state lives in Redis under
 * `deps.keyPrefix`: `:rl:*` limiter, `:cache:*` results, `:budget:<day>` spend,
 * `:breaker:<model>` circuit breakers.
 */
export { createLlmCleaner } from './cleaner';
export { estimateRunCost } from './estimate';
export { BudgetExceededError, budgetStatus, resetBudget, type BudgetStatus } from './budget';
export { loadPrices, parsePrices, priceOf, costUsd, type PriceTable, type ModelPrice } from './prices';
export { breakerState, type BreakerState } from './breaker';
export { DEFAULT_TUNING, type LlmEngineDeps, type LlmEvent, type LlmTuning } from './types';
