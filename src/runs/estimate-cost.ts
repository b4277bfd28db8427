/**
 * The run processor's `estimateCost` hook: before an LLM run fans out, price it
 * from a sample of its raw file. The sample goes through the task's
 * `rules.before` first, because that is the text the model is sent.
 */
import { compileRules } from '../cleaning/rules';
import { budgetStatus, estimateRunCost, loadPrices } from '../cleaning/llm';
import type { Resources } from '../context';
import { readParquet } from '../storage/parquet';
import type { RawRow } from '../types';
import type { RunProcessorHooks } from './run-processor';

/** Rows read from the head of the raw file for the estimate. */
export const ESTIMATE_SAMPLE_ROWS = 200;

/**
 * Build the hook. It resolves with the estimated USD cost of an `engine: llm`
 * run (undefined for rules-only tasks) and logs a warning when the estimate is
 * more than what is left of today's `LLM_DAILY_BUDGET_USD`; the run still
 * starts, and the budget pauses the clean queue if it is reached.
 */
export function createCostEstimator(res: Resources): NonNullable<RunProcessorHooks['estimateCost']> {
  return async (eff, rawKey, rows) => {
    if (eff.task.engine !== 'llm') return undefined;
    const before = compileRules(eff.task.rules.before);
    const texts: (string | null)[] = [];
    for await (const r of readParquet(res.store, rawKey, { limit: ESTIMATE_SAMPLE_ROWS }) as AsyncIterable<RawRow>) {
      let text = r.raw_text;
      try {
        text = text === null ? null : before(text);
      } catch {
        // A row the rules reject is not sent to the model; estimate it as raw text anyway (upper bound).
      }
      texts.push(text);
    }
    const prices = await loadPrices(res.config.resourcesDir);
    const est = await estimateRunCost(eff.task, { texts, totalRows: rows }, prices);
    const log = res.logger.child({ pipeline: eff.def.name, task: eff.task.task_name });
    const budget = await budgetStatus(res.redis, `${res.keyPrefix}:llm`, res.config.llm);
    if (budget.limitUsd !== undefined && est.estimatedCostUsd > budget.limitUsd - budget.spentUsd) {
      log.warn('llm: run estimate exceeds what is left of the daily budget; the clean queue will pause when it is reached', {
        estimatedCostUsd: est.estimatedCostUsd,
        spentUsd: budget.spentUsd,
        budgetUsd: budget.limitUsd,
      });
    } else {
      log.info('llm: run cost estimate', { rows, estimatedTokens: est.estimatedTokens, estimatedCostUsd: est.estimatedCostUsd });
    }
    return est.estimatedCostUsd;
  };
}
