/**
 * The Prometheus registry of one process (never prom-client's global one).
 * Everything cluster-wide is read from Redis when scraped: queue depths from
 * BullMQ, counters and histograms from the shared hash (redis-counters.ts),
 * breaker state and budget from the LLM engine's keys, notice counts from the
 * notify stats. Process metrics (CPU, memory, event loop) are this process's own.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ALL_QUEUES } from '../../queues/names';
import { breakerState, budgetStatus } from '../cleaning/llm';
import type { Resources } from '../context';
import { noticeStats } from '../notify';
import { listTasks } from '../resources/tasks';
import { COUNTERS, GAUGES, HISTOGRAMS, QUEUE_STATES, type CounterDef, type HistogramDef } from './names';
import { countersKey, readCounters, type CounterSnapshot } from './redis-counters';

type MetricsRes = Pick<Resources, 'redis' | 'keyPrefix' | 'logger' | 'queues' | 'config'>;
type HistogramGet = ReturnType<Histogram<string>['get']>;

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Add Node.js process metrics (default true). */
  processMetrics?: boolean;
  /** How long one Redis read of the counters serves concurrent collectors. Default 1000 ms. */
  snapshotTtlMs?: number;
}

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

function pick(labels: Record<string, string>, names: readonly string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const n of names) {
    if (labels[n] === undefined) return null;
    out[n] = labels[n]!;
  }
  return out;
}

/** A histogram whose series are read from the shared Redis hash on every scrape. */
class RedisHistogram extends Histogram<string> {
  constructor(
    private readonly def: HistogramDef,
    private readonly load: () => Promise<CounterSnapshot | null>,
    registry: Registry,
  ) {
    super({ name: def.name, help: def.help, labelNames: [...def.labelNames], buckets: [...def.buckets], registers: [registry] });
  }

  override async get(): HistogramGet {
    const base = await super.get();
    const snap = await this.load();
    const values: Awaited<HistogramGet>['values'] = [];
    for (const s of snap?.histograms.get(this.def.name) ?? []) {
      const labels = pick(s.labels, this.def.labelNames);
      if (!labels) continue;
      let cumulative = 0;
      for (const le of [...this.def.buckets.map(String), '+Inf']) {
        cumulative += s.buckets.get(le) ?? 0;
        values.push({ metricName: `${this.def.name}_bucket`, labels: { ...labels, le }, value: cumulative } as (typeof values)[number]);
      }
      values.push({ metricName: `${this.def.name}_sum`, labels, value: s.sum } as (typeof values)[number]);
      values.push({ metricName: `${this.def.name}_count`, labels, value: s.count } as (typeof values)[number]);
    }
    return { ...base, values };
  }
}

/** Build the registry of this process. Nothing is read until the first scrape. */
export function createMetricsRegistry(res: MetricsRes, opts: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  const ttl = opts.snapshotTtlMs ?? 1000;
  const scrapeErrors = new Counter({ ...GAUGES.scrapeErrors, labelNames: [...GAUGES.scrapeErrors.labelNames], registers: [registry] });
  const failed = (source: string, err: unknown) => {
    scrapeErrors.inc({ source });
    res.logger.warn('metrics: scrape source failed', { source, error: (err as Error).message });
  };

  let cached: { at: number; p: Promise<CounterSnapshot | null> } | undefined;
  const snapshot = (): Promise<CounterSnapshot | null> => {
    if (!cached || Date.now() - cached.at > ttl) {
      cached = {
        at: Date.now(),
        p: readCounters(res.redis, countersKey(res.keyPrefix)).catch((err: unknown) => {
          failed('counters', err);
          return null;
        }),
      };
    }
    return cached.p;
  };

  const redisCounter = (def: CounterDef) =>
    new Counter({
      name: def.name,
      help: def.help,
      labelNames: [...def.labelNames],
      registers: [registry],
      async collect() {
        const snap = await snapshot();
        if (!snap) return;
        // Reset and refill in one synchronous block: concurrent scrapes always see a whole snapshot.
        this.reset();
        for (const s of snap.counters.get(def.name) ?? []) {
          const labels = pick(s.labels, def.labelNames);
          if (labels && s.value > 0) this.inc(labels, s.value);
        }
      },
    });
  for (const def of Object.values(COUNTERS)) redisCounter(def);
  for (const def of Object.values(HISTOGRAMS)) new RedisHistogram(def, snapshot, registry);

  const paused = new Gauge({ ...GAUGES.queuePaused, labelNames: [...GAUGES.queuePaused.labelNames], registers: [registry] });
  new Gauge({
    ...GAUGES.queueJobs,
    labelNames: [...GAUGES.queueJobs.labelNames],
    registers: [registry],
    async collect() {
      try {
        const counts = await Promise.all(
          ALL_QUEUES.map(async (q) => [q, await res.queues[q].getJobCounts(...QUEUE_STATES), await res.queues[q].isPaused()] as const),
        );
        this.reset();
        paused.reset();
        for (const [queue, c, isPaused] of counts) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, c[state] ?? 0);
          paused.set({ queue }, isPaused ? 1 : 0);
        }
      } catch (err) {
        failed('queues', err);
      }
    },
  });

  new Gauge({
    ...GAUGES.breakerState,
    labelNames: [...GAUGES.breakerState.labelNames],
    registers: [registry],
    async collect() {
      try {
        const prefix = `${res.keyPrefix}:llm`;
        const models = await breakerModels(res, await snapshot());
        const states = await Promise.all(models.map(async (m) => [m, await breakerState(res.redis, prefix, m)] as const));
        this.reset();
        for (const [model, state] of states) this.set({ model }, BREAKER_VALUE[state]);
      } catch (err) {
        failed('breakers', err);
      }
    },
  });

  const limit = new Gauge({ ...GAUGES.budgetLimit, registers: [registry] });
  new Gauge({
    ...GAUGES.budgetSpent,
    registers: [registry],
    async collect() {
      try {
        const b = await budgetStatus(res.redis, `${res.keyPrefix}:llm`, res.config.llm);
        this.set(b.spentUsd);
        limit.reset();
        if (b.limitUsd !== undefined) limit.set(b.limitUsd);
      } catch (err) {
        failed('budget', err);
      }
    },
  });

  new Counter({
    ...GAUGES.notices,
    labelNames: [...GAUGES.notices.labelNames],
    registers: [registry],
    async collect() {
      try {
        const stats = await noticeStats(res.redis, `${res.keyPrefix}:notify`);
        this.reset();
        for (const [field, n] of Object.entries(stats)) {
          const i = field.lastIndexOf(':');
          if (i > 0 && n > 0) this.inc({ kind: field.slice(0, i), channel: field.slice(i + 1) }, n);
        }
      } catch (err) {
        failed('notices', err);
      }
    },
  });

  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Models of LLM tasks, plus any model whose breaker ever opened (fallback models included). */
async function breakerModels(res: MetricsRes, snap: CounterSnapshot | null): Promise<string[]> {
  const models = new Set<string>();
  for (const t of await listTasks(res.config.resourcesDir)) if (t.engine === 'llm' && t.model) models.add(t.model);
  for (const s of snap?.counters.get(COUNTERS.breakerOpened.name) ?? []) if (s.labels.model) models.add(s.labels.model);
  return [...models].sort();
}
