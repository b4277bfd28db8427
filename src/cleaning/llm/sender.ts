/**
 * Sending one request: budget check, breaker and fallback model, cluster rate
 * limit, the call itself, usage and cost, 429 cool-downs and x-ratelimit
 * headers. One instance per cleaner (so per chunk job), with its usage counters.
 */
import type OpenAI from 'openai';
import { emptyUsage, type LlmUsage } from '../../types';
import type { TaskDef } from '../../resources/schemas';
import { addSpend, BudgetExceededError, claimBudgetNotice, spentToday, utcDay } from './budget';
import { CircuitBreaker } from './breaker';
import { callModel, type CallOutcome } from './call';
import { exhaustedQuota, processingMs, type HeaderBag } from './headers';
import { costUsd } from './prices';
import { checkReply, type PromptItem } from './prompt';
import { RateLimiter } from './rate-limiter';
import { sleep } from './sleep';
import type { LlmEngineDeps, LlmEvent, LlmTuning } from './types';

/** How one request ended, for the retry ladder. */
export type SendResult =
  | { kind: 'reply'; good: Map<number, string>; bad: Map<number, string>; model: string }
  | { kind: 'error'; retry: boolean; reason: string };

/** Sends requests for one cleaner and sums their usage. */
export class Sender {
  readonly usage: LlmUsage = emptyUsage();
  private jsonMode: boolean;
  private readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly task: TaskDef & { model: string },
    private readonly deps: LlmEngineDeps,
    private readonly client: OpenAI,
    private readonly tuning: LlmTuning,
    private readonly runId: string,
  ) {
    this.jsonMode = task.json_mode;
    this.limiter = new RateLimiter(deps.redis, {
      keyPrefix: deps.keyPrefix,
      maxRps: deps.llm.maxRps,
      maxTpm: deps.llm.maxTpm,
      windowMarginMs: tuning.rpsWindowMarginMs,
      leaseMs: deps.llm.timeoutMs + 5000,
    });
    const probeLease = Math.max(deps.llm.timeoutMs * 2, 1000);
    this.breaker = new CircuitBreaker(deps.redis, deps.keyPrefix, tuning.breakerThreshold, tuning.breakerCooldownMs, probeLease);
  }

  /** Send one request, waiting as needed for budget, breaker and rate limit; 429s and JSON-mode refusals are retried here. */
  async send(items: PromptItem[], signal: AbortSignal): Promise<SendResult> {
    let n429 = 0;
    for (;;) {
      await this.checkBudget();
      const model = await this.pickModel(signal);
      const permit = await this.limiter.acquire(this.estimateTokens(items), signal);
      let result: CallOutcome | undefined;
      try {
        result = await callModel({ client: this.client, task: this.task, model, items, jsonMode: this.jsonMode, signal });
      } finally {
        await this.limiter.release(permit, processingMs(lastHeaders(result)));
      }
      const out = result;
      this.usage.requests += 1;
      if (out.kind === 'ok') {
        const prompt = out.promptTokens || Math.ceil(JSON.stringify(items).length / 4);
        const completion = out.completionTokens || Math.ceil((out.content?.length ?? 0) / 4);
        await this.account(model, prompt, completion);
        await this.limiter.correct(permit, prompt + completion);
        await this.followHeaders(out.headers, model);
        if (await this.breaker.success(model)) this.emit({ type: 'breaker_closed', runId: this.runId, model });
        return { kind: 'reply', model, ...checkReply(out.content, items, this.tuning) };
      }
      if (out.kind === 'rate_limited') {
        await this.limiter.correct(permit, 0);
        if (++n429 > this.tuning.max429) return { kind: 'error', retry: false, reason: `${out.reason} (gave up after ${n429} rate-limit replies)` };
        const wait = out.retryAfterMs ?? exhaustedQuota(out.headers)?.waitMs ?? this.tuning.default429WaitMs;
        await this.limiter.coolDown(wait);
        this.emit({ type: 'rate_limited', runId: this.runId, model, retryAfterMs: wait, reason: '429' });
        continue;
      }
      if (out.kind === 'json_mode_unsupported') {
        this.deps.logger.warn('llm: server refused JSON mode; continuing without it', { model, runId: this.runId });
        this.jsonMode = false;
        continue;
      }
      if (out.kind === 'transient') {
        const { opened, failures } = await this.breaker.failure(model);
        if (opened) {
          this.deps.logger.warn('llm: circuit breaker opened', { model, failures, runId: this.runId });
          this.emit({ type: 'breaker_opened', runId: this.runId, model, failures, cooldownMs: this.tuning.breakerCooldownMs });
        }
        return { kind: 'error', retry: true, reason: out.reason };
      }
      return { kind: 'error', retry: false, reason: out.reason };
    }
  }

  /** The primary model unless its breaker is open; then the fallback, if it has one and its breaker allows. */
  private async pickModel(signal: AbortSignal): Promise<string> {
    for (;;) {
      const primary = await this.breaker.enter(this.task.model);
      if (primary.allowed) return this.task.model;
      let wait = primary.retryInMs;
      if (this.task.fallback_model) {
        const fb = await this.breaker.enter(this.task.fallback_model);
        if (fb.allowed) return this.task.fallback_model;
        wait = Math.min(wait, fb.retryInMs);
      }
      await sleep(wait, signal);
    }
  }

  private estimateTokens(items: PromptItem[]): number {
    const chars = this.task.system_message.length + 400 + JSON.stringify(items).length;
    const textChars = items.reduce((s, it) => s + it.text.length, 0);
    // Replies echo the cleaned texts, so expect about the input size, capped by max_tokens.
    const completion = Math.min(this.task.max_tokens, Math.ceil(textChars / 4 * 1.2) + 12 * items.length);
    return Math.ceil(chars / 4) + completion;
  }

  private async account(model: string, prompt: number, completion: number): Promise<void> {
    const cost = costUsd(this.deps.prices, model, prompt, completion);
    this.usage.promptTokens += prompt;
    this.usage.completionTokens += completion;
    this.usage.tokens += prompt + completion;
    this.usage.costUsd += cost;
    if (cost > 0) await addSpend(this.deps.redis, this.deps.keyPrefix, cost);
  }

  private async checkBudget(): Promise<void> {
    const budget = this.deps.llm.dailyBudgetUsd;
    if (budget === undefined) return;
    const day = utcDay();
    const spent = await spentToday(this.deps.redis, this.deps.keyPrefix, day);
    if (spent < budget) return;
    if (await claimBudgetNotice(this.deps.redis, this.deps.keyPrefix, day)) {
      this.deps.logger.warn('llm: daily budget reached', { spentUsd: spent, budgetUsd: budget, runId: this.runId });
      this.emit({ type: 'budget_reached', runId: this.runId, spentUsd: spent, budgetUsd: budget, day });
    }
    throw new BudgetExceededError(spent, budget);
  }

  private async followHeaders(headers: HeaderBag, model: string): Promise<void> {
    const q = exhaustedQuota(headers);
    if (!q) return;
    await this.limiter.coolDown(q.waitMs);
    this.emit({ type: 'rate_limited', runId: this.runId, model, retryAfterMs: q.waitMs, reason: q.which === 'requests' ? 'remaining_requests' : 'remaining_tokens' });
  }

  private emit(e: LlmEvent): void {
    try {
      this.deps.onEvent?.(e);
    } catch (err) {
      this.deps.logger.warn('llm: onEvent handler threw', { err, type: e.type });
    }
  }
}

function lastHeaders(out: CallOutcome | undefined): HeaderBag | undefined {
  return out && (out.kind === 'ok' || out.kind === 'rate_limited') ? out.headers : undefined;
}
