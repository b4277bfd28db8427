/**
 * What worker processes call to add to the cluster-wide metrics. Every
 * function is one Redis round trip and never throws: a metric must not fail a
 * job (a Redis error is logged at warn level and the sample is lost).
 */
import type { LlmEvent } from '../cleaning/llm/types';
import type { Resources } from '../context';
import type { LlmUsage } from '../types';
import { COUNTERS, HISTOGRAMS } from './names';
import { countersKey, incrementCounters, type CounterInc, type Observation } from './redis-counters';

type MetricsRes = Pick<Resources, 'redis' | 'keyPrefix' | 'logger'>;

async function write(res: MetricsRes, incs: CounterInc[], obs: Observation[] = []): Promise<void> {
  try {
    await incrementCounters(res.redis, countersKey(res.keyPrefix), incs, obs);
  } catch (err) {
    res.logger.warn('metrics: could not record', { error: (err as Error).message });
  }
}

/** One job attempt ended (ok or failed). */
export async function recordJobDone(res: MetricsRes, job: { queue: string; durationMs: number; ok: boolean }): Promise<void> {
  const h = HISTOGRAMS.jobDuration;
  await write(res, [], [{ name: h.name, buckets: h.buckets, labels: { queue: job.queue, outcome: job.ok ? 'ok' : 'failed' }, value: job.durationMs / 1000 }]);
}

/** A run ended. Call once per run. `durationMs` (first start to end) feeds the run duration histogram. */
export async function recordRunOutcome(res: MetricsRes, state: 'completed' | 'failed', opts: { durationMs?: number } = {}): Promise<void> {
  const h = HISTOGRAMS.runDuration;
  const obs: Observation[] = opts.durationMs !== undefined && opts.durationMs >= 0 ? [{ name: h.name, buckets: h.buckets, labels: { outcome: state }, value: opts.durationMs / 1000 }] : [];
  await write(res, [{ name: COUNTERS.runs.name, labels: { outcome: state }, value: 1 }], obs);
}

/** Rows of an ended run. */
export async function recordRows(res: MetricsRes, rows: { collected?: number; cleaned?: number; failed?: number }): Promise<void> {
  const name = COUNTERS.rows.name;
  await write(res, [
    { name, labels: { stage: 'collected' }, value: rows.collected ?? 0 },
    { name, labels: { stage: 'cleaned' }, value: rows.cleaned ?? 0 },
    { name, labels: { stage: 'failed' }, value: rows.failed ?? 0 },
  ]);
}

/** LLM usage of one chunk. */
export async function recordLlm(res: MetricsRes, usage: Partial<LlmUsage>): Promise<void> {
  const prompt = usage.promptTokens ?? 0;
  const completion = usage.completionTokens ?? 0;
  // Some providers report only a total; count the rest as prompt tokens so the sum stays right.
  const unsplit = Math.max(0, (usage.tokens ?? 0) - prompt - completion);
  await write(res, [
    { name: COUNTERS.llmRequests.name, value: usage.requests ?? 0 },
    { name: COUNTERS.llmTokens.name, labels: { type: 'prompt' }, value: prompt + unsplit },
    { name: COUNTERS.llmTokens.name, labels: { type: 'completion' }, value: completion },
    { name: COUNTERS.llmCost.name, value: usage.costUsd ?? 0 },
    { name: COUNTERS.llmCacheHits.name, value: usage.cacheHits ?? 0 },
  ]);
}

/** An LLM engine event: rate-limit waits and breaker openings are counted; others are ignored. */
export async function recordLlmEvent(res: MetricsRes, e: LlmEvent): Promise<void> {
  if (e.type === 'rate_limited') {
    await write(res, [
      { name: COUNTERS.rateLimitWaits.name, labels: { reason: e.reason }, value: 1 },
      { name: COUNTERS.rateLimitWaitSeconds.name, labels: { reason: e.reason }, value: e.retryAfterMs / 1000 },
    ]);
  } else if (e.type === 'breaker_opened') {
    await write(res, [{ name: COUNTERS.breakerOpened.name, labels: { model: e.model }, value: 1 }]);
  }
}
