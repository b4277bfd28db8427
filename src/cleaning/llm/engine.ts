/**
 * Sending one batch: budget check, breaker and fallback model, cluster rate
 * limit, the request itself, usage and cost, 429 cool-downs, and the retry →
 * split → fail ladder. One instance per cleaner (so per chunk job).
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
import { backoffMs, sleep } from './sleep';
import type { LlmEngineDeps, LlmEvent, LlmTuning } from './types';

/** A unit of work: one distinct rendered prompt (duplicates in a chunk share it). */
export interface Unit {
  rendered: string;
  /** Row ids using this text, for error messages. */
  rowIds: number[];
}

/** The result for one unit. */
export type UnitResult = { ok: true; text: string; model: string } | { ok: false; error: string };

/** Why a unit is still bad: last reason, tries made, no point retrying, last failure was transport (not the reply). */
interface Failure {
  reason: string;
  tries: number;
  fatal: boolean;
  transport: boolean;
}

type SendResult = { kind: 'reply'; good: Map<number, string>; bad: Map<number, string>; model: string } | { kind: 'error'; retry: boolean; reason: string };

/** Batch sender with its own usage counters. */
export class LlmEngine {
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

  /**
   * Clean some units. The batch is tried `batchAttempts` times. Rows the model
   * answered badly are then tried alone (`singleAttempts` each); rows that only
   * met transport errors get `singleAttempts` more tries together, since
   * splitting cannot fix a server that is down. Then they fail with the reason.
   */
  async run(units: Unit[], signal: AbortSignal): Promise<UnitResult[]> {
    const results: (UnitResult | undefined)[] = new Array(units.length);
    const left = await this.attempts(units, units.map((_u, i) => i), this.tuning.batchAttempts, results, signal);
    const transport = [...left].filter(([, f]) => f.transport && !f.fatal).map(([i]) => i);
    const groups: number[][] = transport.length ? [transport] : [];
    for (const [i, f] of left) if (!f.transport && !f.fatal && units.length > 1) groups.push([i]);
    const final = new Map([...left].filter(([, f]) => f.fatal || (!f.transport && units.length === 1)));
    for (const g of groups) {
      const again = await this.attempts(units, g, this.tuning.singleAttempts, results, signal);
      for (const i of g) {
        const f = again.get(i);
        if (f) final.set(i, f.tries ? { ...f, tries: f.tries + left.get(i)!.tries } : left.get(i)!);
        else if (!results[i]) final.set(i, left.get(i)!);
      }
    }
    for (const [i, f] of final) {
      const what = f.reason === 'reply missing id' ? `reply missing id ${units[i]!.rowIds[0]}` : f.reason;
      results[i] = { ok: false, error: `llm: ${what} after ${f.tries} attempt${f.tries === 1 ? '' : 's'}` };
    }
    return results as UnitResult[];
  }

  /**
   * Try `idx` up to `max` times; fills `results` for good units and returns the
   * bad ones with the last reason, the tries made, and whether retrying is pointless.
   */
  private async attempts(
    units: Unit[],
    idx: number[],
    max: number,
    results: (UnitResult | undefined)[],
    signal: AbortSignal,
  ): Promise<Map<number, Failure>> {
    let pending = idx;
    const reasons = new Map<number, string>();
    let transport = false;
    let tries = 0;
    for (let attempt = 0; attempt < max && pending.length; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt - 1, this.tuning.backoffBaseMs, this.tuning.backoffMaxMs), signal);
      const items: PromptItem[] = pending.map((u, k) => ({ id: k, text: units[u]!.rendered }));
      const r = await this.send(items, signal);
      tries++;
      if (r.kind === 'error') {
        if (!r.retry) return new Map(pending.map((u) => [u, { reason: r.reason, tries, fatal: true, transport: true }]));
        for (const u of pending) reasons.set(u, r.reason);
        transport = true;
        continue;
      }
      transport = false;
      const next: number[] = [];
      pending.forEach((u, k) => {
        const text = r.good.get(k);
        if (text !== undefined) results[u] = { ok: true, text, model: r.model };
        else {
          reasons.set(u, r.bad.get(k) ?? 'reply missing id');
          next.push(u);
        }
      });
      pending = next;
    }
    return new Map(pending.map((u) => [u, { reason: reasons.get(u)!, tries, fatal: false, transport }]));
  }

  /** Send one request, waiting as needed for budget, breaker and rate limit; 429s and JSON-mode refusals are retried here. */
  private async send(items: PromptItem[], signal: AbortSignal): Promise<SendResult> {
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
