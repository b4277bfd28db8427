/**
 * The cluster-wide daily LLM budget (`LLM_DAILY_BUDGET_USD`): one Redis counter
 * per UTC day, increased with INCRBYFLOAT after every request and checked
 * before every request. Requests already in flight when the limit is reached
 * still finish, so spend can pass the limit by at most those requests.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../config';

/** Thrown by `clean()` when the daily budget is used up; the caller pauses the queue and delays the job. */
export class BudgetExceededError extends Error {
  readonly spentUsd: number;
  readonly budgetUsd: number;
  constructor(spentUsd: number, budgetUsd: number) {
    super(`llm: daily budget reached: spent $${spentUsd.toFixed(4)} of $${budgetUsd.toFixed(4)} (UTC day)`);
    this.name = 'BudgetExceededError';
    this.spentUsd = spentUsd;
    this.budgetUsd = budgetUsd;
  }
}

/** Today's spend against the limit, for the operator API. */
export interface BudgetStatus {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  spentUsd: number;
  /** Undefined when no budget is configured. */
  limitUsd?: number;
  reached: boolean;
}

/** The UTC day of `at` as YYYY-MM-DD. */
export function utcDay(at = new Date()): string {
  return at.toISOString().slice(0, 10);
}

const spentKey = (keyPrefix: string, day: string): string => `${keyPrefix}:budget:${day}`;
const noticeKey = (keyPrefix: string, day: string): string => `${keyPrefix}:budget:${day}:notified`;
const TWO_DAYS_S = 2 * 24 * 3600;

/** Spent USD today. */
export async function spentToday(redis: Redis, keyPrefix: string, day = utcDay()): Promise<number> {
  return Number((await redis.get(spentKey(keyPrefix, day))) ?? 0);
}

/** Add spend to today's counter; resolves with the new total. */
export async function addSpend(redis: Redis, keyPrefix: string, usd: number, day = utcDay()): Promise<number> {
  if (!(usd > 0)) return spentToday(redis, keyPrefix, day);
  const k = spentKey(keyPrefix, day);
  const [[, total]] = (await redis.multi().incrbyfloat(k, usd).expire(k, TWO_DAYS_S).exec()) as [[Error | null, string]];
  return Number(total);
}

/** True exactly once per UTC day across the cluster (until {@link resetBudget}): whoever wins sends the notice. */
export async function claimBudgetNotice(redis: Redis, keyPrefix: string, day = utcDay()): Promise<boolean> {
  return (await redis.set(noticeKey(keyPrefix, day), '1', 'EX', TWO_DAYS_S, 'NX')) === 'OK';
}

/** Today's spend and limit. */
export async function budgetStatus(redis: Redis, keyPrefix: string, llm: Pick<Config['llm'], 'dailyBudgetUsd'>): Promise<BudgetStatus> {
  const day = utcDay();
  const spentUsd = await spentToday(redis, keyPrefix, day);
  const limitUsd = llm.dailyBudgetUsd;
  return { day, spentUsd, limitUsd, reached: limitUsd !== undefined && spentUsd >= limitUsd };
}

/** Operator action: set today's spend back to zero (and re-arm the notice). Resolves with the new status. */
export async function resetBudget(redis: Redis, keyPrefix: string, llm: Pick<Config['llm'], 'dailyBudgetUsd'>): Promise<BudgetStatus> {
  const day = utcDay();
  await redis.del(spentKey(keyPrefix, day), noticeKey(keyPrefix, day));
  return budgetStatus(redis, keyPrefix, llm);
}
