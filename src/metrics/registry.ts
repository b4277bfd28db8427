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
import { readProcessSnapshots, type ProcessSnapshot } from './heartbeat';
import { countersKey, readCounters, type CounterSnapshot } from './redis-counters';

type MetricsRes = Pick<Resources, 'redis' | 'keyPrefix' | 'logger' | 'queues' | 'config'>;
type HistogramGet = ReturnType<Histogram<string>['get']>;
type SeriesValue = { metricName: string; labels: Record<string, string>; sharedLabels: Record<string, string>; value: number };

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

  // The registry renders histograms through getForPromString; get() (JSON) builds on it too.
  async getForPromString(): HistogramGet {
    const snap = await this.load();
    const values: SeriesValue[] = [];
    for (const s of snap?.histograms.get(this.def.name) ?? []) {
      const labels = pick(s.labels, this.def.labelNames);
      if (!labels) continue;
      let cumulative = 0;
      for (const le of [...this.def.buckets.map(String), '+Inf']) {
        cumulative += s.buckets.get(le) ?? 0;
        values.push({ metricName: `${this.def.name}_bucket`, labels: { ...labels, le }, sharedLabels: {}, value: cumulative });
      }
      values.push({ metricName: `${this.def.name}_sum`, labels, sharedLabels: {}, value: s.sum });
      values.push({ metricName: `${this.def.name}_count`, labels, sharedLabels: {}, value: s.count });
    }
    return { name: this.def.name, help: this.def.help, type: 'histogram', aggregator: 'sum', values } as unknown as Awaited<HistogramGet>;
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

  const snapshot = memo(ttl, () =>
    readCounters(res.redis, countersKey(res.keyPrefix)).catch((err: unknown) => {
      failed('counters', err);
      return null;
    }),
  );

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

  // One BullMQ read per scrape, shared by the depth and paused gauges (collected concurrently).
  const queueState = memo(ttl, async () =>
    Promise.all(ALL_QUEUES.map(async (q) => ({ queue: q, counts: await res.queues[q].getJobCounts(...QUEUE_STATES), paused: await res.queues[q].isPaused() }))).catch(
      (err: unknown) => {
        failed('queues', err);
        return null;
      },
    ),
  );
  new Gauge({
    ...GAUGES.queueJobs,
    labelNames: [...GAUGES.queueJobs.labelNames],
    registers: [registry],
    async collect() {
      const qs = await queueState();
      if (!qs) return;
      this.reset();
      for (const q of qs) for (const state of QUEUE_STATES) this.set({ queue: q.queue, state }, q.counts[state] ?? 0);
    },
  });
  new Gauge({
    ...GAUGES.queuePaused,
    labelNames: [...GAUGES.queuePaused.labelNames],
    registers: [registry],
    async collect() {
      const qs = await queueState();
      if (!qs) return;
      this.reset();
      for (const q of qs) this.set({ queue: q.queue }, q.paused ? 1 : 0);
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

  const budget = memo(ttl, () =>
    budgetStatus(res.redis, `${res.keyPrefix}:llm`, res.config.llm).catch((err: unknown) => {
      failed('budget', err);
      return null;
    }),
  );
  new Gauge({
    ...GAUGES.budgetSpent,
    registers: [registry],
    async collect() {
      const b = await budget();
      if (b) this.set(b.spentUsd);
    },
  });
  new Gauge({
    ...GAUGES.budgetLimit,
    registers: [registry],
    async collect() {
      const b = await budget();
      if (!b) return;
      this.reset();
      if (b.limitUsd !== undefined) this.set(b.limitUsd);
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

  // Worker processes report themselves to Redis (heartbeat.ts); one series per live worker.
  const workers = memo(ttl, () =>
    readProcessSnapshots(res.redis, res.keyPrefix).catch((err: unknown) => {
      failed('workers', err);
      return null;
    }),
  );
  const workerGauge = (def: CounterDef, fill: (g: Gauge<string>, w: ProcessSnapshot) => void) =>
    new Gauge({
      ...def,
      labelNames: [...def.labelNames],
      registers: [registry],
      async collect() {
        const ws = await workers();
        if (!ws) return;
        this.reset();
        for (const w of ws) fill(this, w);
      },
    });
  workerGauge(GAUGES.workerUp, (g, w) => g.set({ worker: w.worker, queues: w.queues }, 1));
  workerGauge(GAUGES.workerRss, (g, w) => g.set({ worker: w.worker }, w.rssBytes));
  workerGauge(GAUGES.workerHeap, (g, w) => g.set({ worker: w.worker }, w.heapUsedBytes));
  workerGauge(GAUGES.workerCpu, (g, w) => {
    g.set({ worker: w.worker, mode: 'user' }, w.cpuUserSeconds);
    g.set({ worker: w.worker, mode: 'system' }, w.cpuSystemSeconds);
  });
  workerGauge(GAUGES.workerLoopDelay, (g, w) => g.set({ worker: w.worker }, w.eventLoopDelayP99Seconds));

  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** One call of `fn` serves every caller within `ttlMs` (the collectors of one scrape). */
function memo<T>(ttlMs: number, fn: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; p: Promise<T> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), p: fn() };
    return cached.p;
  };
}

/** Models of LLM tasks, plus any model whose breaker ever opened (fallback models included). */
async function breakerModels(res: MetricsRes, snap: CounterSnapshot | null): Promise<string[]> {
  const models = new Set<string>();
  for (const t of await listTasks(res.config.resourcesDir)) if (t.engine === 'llm' && t.model) models.add(t.model);
  for (const s of snap?.counters.get(COUNTERS.breakerOpened.name) ?? []) if (s.labels.model) models.add(s.labels.model);
  return [...models].sort();
}
