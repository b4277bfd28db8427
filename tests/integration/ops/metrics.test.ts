/**
 * /metrics on real Redis and real workers: after a completed and a failed run
 * the Prometheus text carries runs by outcome, rows equal to the run's counts,
 * job duration histograms per queue, queue depth gauges and process metrics;
 * LLM counters, rate-limit waits and breaker state come from the shared
 * Redis hash, so increments from any process add up.
 */
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../../src/api/app';
import { silentLogger } from '../../../src/logger';
import { instrumentWorker, recordJobDone, recordLlm, recordLlmEvent, workerId } from '../../../src/metrics';
import { opsRouters } from '../../../src/ops/routers';
import { auth, createHarness, type Harness } from '../../support/harness';

let h: Harness;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  h = await createHarness({
    extraPipelines: ['  missing_file:', '    source: file', '    options: { path: "nothing-matches-*.csv" }', '    task: normalize_text', '    output: never'].join('\n'),
  });
  app = createApp(h.res, { routers: opsRouters(h.res) });
  // The same hook workers/index.ts applies to every worker (idempotent if it already did).
  for (const w of h.startWorkers().workers) instrumentWorker(h.res, w);
});
afterAll(async () => {
  await h.close();
});

/** The value of one sample line, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrapeUntil(pred: (t: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(app).get('/metrics').expect(200);
    if (pred(r.text)) return r.text;
    if (Date.now() > deadline) throw new Error(`metrics never matched; last scrape:\n${r.text.slice(0, 3000)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

it('counts a completed run with its rows, job durations and queue depths', async () => {
  const start = await request(app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 300 }, chunk_size: 100 } }).expect(202);
  const done = await h.waitForRun(start.body.runId);
  expect(done.state).toBe('completed');

  const text = await scrapeUntil((t) => sample(t, 'dataops_runs_total{outcome="completed"}') === 1 && sample(t, 'dataops_rows_total{stage="collected"}') !== undefined);
  expect(text).toMatch(/^# TYPE dataops_runs_total counter$/m);
  expect(sample(text, 'dataops_rows_total{stage="collected"}')).toBe(300);
  expect(sample(text, 'dataops_rows_total{stage="cleaned"}')).toBe(done.counts.rowsCleaned);
  expect(sample(text, 'dataops_rows_total{stage="failed"}') ?? 0).toBe(done.counts.rowsFailed);

  // 3 chunk jobs and 1 run job, each a histogram observation with cumulative buckets.
  expect(text).toMatch(/^# TYPE dataops_job_duration_seconds histogram$/m);
  expect(sample(text, 'dataops_job_duration_seconds_count{queue="clean",outcome="ok"}')).toBe(3);
  expect(sample(text, 'dataops_job_duration_seconds_bucket{queue="clean",outcome="ok",le="+Inf"}')).toBe(3);
  expect(sample(text, 'dataops_job_duration_seconds_count{queue="pipeline",outcome="ok"}')).toBe(1);
  expect(sample(text, 'dataops_job_duration_seconds_sum{queue="clean",outcome="ok"}')).toBeGreaterThan(0);
  expect(sample(text, 'dataops_run_duration_seconds_count{outcome="completed"}')).toBe(1);

  // Depth gauges for every queue and state, read from BullMQ on scrape.
  for (const q of ['pipeline', 'clean', 'notify', 'dead-letter', 'maintenance']) {
    for (const s of ['waiting', 'active', 'delayed', 'failed', 'completed']) expect(sample(text, `dataops_queue_jobs{queue="${q}",state="${s}"}`)).toBeDefined();
    // dead-letter is a store kept paused by design.
    if (q !== 'dead-letter') expect(sample(text, `dataops_queue_paused{queue="${q}"}`)).toBe(0);
  }
  expect(sample(text, 'dataops_queue_jobs{queue="pipeline",state="completed"}')).toBe(1);
  expect(sample(text, 'dataops_queue_jobs{queue="clean",state="completed"}')).toBe(3);
  // Process metrics of this process's own registry.
  expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
});

it('counts a run that failed for good once, as failed', async () => {
  const start = await request(app).post('/api/runs').set(auth('operator')).send({ pipeline: 'missing_file' }).expect(202);
  expect((await h.waitForRun(start.body.runId)).state).toBe('failed');
  const text = await scrapeUntil((t) => sample(t, 'dataops_runs_total{outcome="failed"}') === 1);
  expect(sample(text, 'dataops_runs_total{outcome="completed"}')).toBe(1);
  expect(sample(text, 'dataops_job_duration_seconds_count{queue="pipeline",outcome="failed"}')).toBeGreaterThanOrEqual(1);
});

it('adds up LLM usage, rate-limit waits and job durations from several connections, and reports breaker state', async () => {
  // A second "process": its own Redis connection, same key prefix.
  const other = new Redis(h.config.redisUrl);
  try {
    const peer = { redis: other, keyPrefix: h.res.keyPrefix, logger: silentLogger() };
    await recordLlm(h.res, { requests: 2, promptTokens: 100, completionTokens: 40, tokens: 140, costUsd: 0.25, cacheHits: 1 });
    await recordLlm(peer, { requests: 3, promptTokens: 50, completionTokens: 10, tokens: 60, costUsd: 0.5, cacheHits: 0 });
    await recordLlmEvent(peer, { type: 'rate_limited', runId: 'r1', model: 'm', retryAfterMs: 1500, reason: '429' });
    await recordJobDone(peer, { queue: 'notify', durationMs: 2000, ok: true });
    await recordJobDone(h.res, { queue: 'notify', durationMs: 20, ok: true });
    // The shipped LLM task's model, with its breaker open for another minute.
    const now = Date.now();
    await other.hset(`${h.res.keyPrefix}:llm:breaker:gpt-4o-mini`, 'openUntil', String(now + 60_000));
  } finally {
    other.disconnect();
  }
  const text = await scrapeUntil((t) => sample(t, 'dataops_llm_requests_total') === 5);
  expect(sample(text, 'dataops_llm_tokens_total{type="prompt"}')).toBe(150);
  expect(sample(text, 'dataops_llm_tokens_total{type="completion"}')).toBe(50);
  expect(sample(text, 'dataops_llm_cost_usd_total')).toBeCloseTo(0.75, 6);
  expect(sample(text, 'dataops_llm_cache_hits_total')).toBe(1);
  expect(sample(text, 'dataops_llm_rate_limit_waits_total{reason="429"}')).toBe(1);
  expect(sample(text, 'dataops_llm_rate_limit_wait_seconds_total{reason="429"}')).toBe(1.5);
  expect(sample(text, 'dataops_job_duration_seconds_count{queue="notify",outcome="ok"}')).toBe(2);
  expect(sample(text, 'dataops_job_duration_seconds_bucket{queue="notify",outcome="ok",le="0.05"}')).toBe(1);
  expect(sample(text, 'dataops_job_duration_seconds_bucket{queue="notify",outcome="ok",le="2.5"}')).toBe(2);
  expect(sample(text, 'dataops_llm_breaker_state{model="gpt-4o-mini"}')).toBe(2);
  expect(sample(text, 'dataops_llm_budget_spent_usd')).toBe(0);
});

it('is open by default and needs a token when METRICS_REQUIRE_AUTH is on', async () => {
  const locked = await createHarness({ env: { METRICS_REQUIRE_AUTH: 'true' } });
  try {
    const lockedApp = createApp(locked.res, { routers: opsRouters(locked.res) });
    await request(lockedApp).get('/metrics').expect(401);
    const r = await request(lockedApp).get('/metrics').set(auth('viewer')).expect(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  } finally {
    await locked.close();
  }
});

it('reports every live worker process, including ones in other processes', async () => {
  // A second process's report, as its heartbeat would write it.
  const other = { worker: 'elsewhere:4242', queues: 'clean', at: Date.now(), rssBytes: 123_456_789, heapUsedBytes: 1, cpuUserSeconds: 2.5, cpuSystemSeconds: 0.5, eventLoopDelayP99Seconds: 0.01, uptimeSeconds: 10 };
  const stale = { ...other, worker: 'gone:1', at: Date.now() - 10 * 60_000 };
  await h.res.redis.hset(`${h.res.keyPrefix}:metrics:processes`, other.worker, JSON.stringify(other), stale.worker, JSON.stringify(stale));
  const text = await scrapeUntil((t) => t.includes('dataops_worker_up{worker="elsewhere:4242"'));
  expect(sample(text, 'dataops_worker_resident_memory_bytes{worker="elsewhere:4242"}')).toBe(123_456_789);
  expect(sample(text, 'dataops_worker_cpu_seconds{worker="elsewhere:4242",mode="user"}')).toBe(2.5);
  // This process's own workers (started by the harness) report themselves too.
  expect(text).toContain(`dataops_worker_up{worker="${workerId()}"`);
  // A worker silent for minutes is dropped.
  expect(text).not.toContain('gone:1');
  expect(await h.res.redis.hexists(`${h.res.keyPrefix}:metrics:processes`, 'gone:1')).toBe(0);
});
