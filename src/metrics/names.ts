/**
 * Names, help texts, labels and buckets of the cluster-wide metrics. Writers
 * (workers, through record.ts) and the reader (/metrics, through registry.ts)
 * both take them from here, so a name cannot drift between the two.
 */

/** Buckets (seconds) of job and run durations. */
export const DURATION_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** A counter kept in Redis. */
export interface CounterDef {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** A histogram kept in Redis. */
export interface HistogramDef extends CounterDef {
  buckets: readonly number[];
}

/** Counters kept in Redis (every process adds to them). */
export const COUNTERS = {
  runs: { name: 'dataops_runs_total', help: 'Runs that ended, by outcome (completed | failed).', labelNames: ['outcome'] },
  rows: { name: 'dataops_rows_total', help: 'Rows of ended runs, by stage (collected | cleaned | failed).', labelNames: ['stage'] },
  llmRequests: { name: 'dataops_llm_requests_total', help: 'LLM requests sent by clean jobs.', labelNames: [] },
  llmTokens: { name: 'dataops_llm_tokens_total', help: 'LLM tokens used, by type (prompt | completion).', labelNames: ['type'] },
  llmCost: { name: 'dataops_llm_cost_usd_total', help: 'LLM cost in US dollars.', labelNames: [] },
  llmCacheHits: { name: 'dataops_llm_cache_hits_total', help: 'Rows answered from the LLM result cache.', labelNames: [] },
  rateLimitWaits: { name: 'dataops_llm_rate_limit_waits_total', help: 'Times an LLM request waited for a rate limit, by reason.', labelNames: ['reason'] },
  rateLimitWaitSeconds: { name: 'dataops_llm_rate_limit_wait_seconds_total', help: 'Seconds LLM requests were told to wait by rate limits, by reason.', labelNames: ['reason'] },
  breakerOpened: { name: 'dataops_llm_breaker_opened_total', help: 'Times a model circuit breaker opened.', labelNames: ['model'] },
} as const satisfies Record<string, CounterDef>;

/** Histograms kept in Redis. */
export const HISTOGRAMS = {
  jobDuration: {
    name: 'dataops_job_duration_seconds',
    help: 'Processing time of one job attempt, by queue and outcome (ok | failed).',
    labelNames: ['queue', 'outcome'],
    buckets: DURATION_BUCKETS_S,
  },
  runDuration: {
    name: 'dataops_run_duration_seconds',
    help: 'Time from first start to end of a run, by outcome.',
    labelNames: ['outcome'],
    buckets: DURATION_BUCKETS_S,
  },
} as const satisfies Record<string, HistogramDef>;

/** Metrics computed on scrape from Redis state (not counters). */
export const GAUGES = {
  queueJobs: { name: 'dataops_queue_jobs', help: 'Jobs per queue and state, read from BullMQ on scrape.', labelNames: ['queue', 'state'] },
  queuePaused: { name: 'dataops_queue_paused', help: 'Whether a queue is paused (1) or not (0), e.g. by the daily LLM budget.', labelNames: ['queue'] },
  breakerState: { name: 'dataops_llm_breaker_state', help: 'Circuit breaker state per model: 0 closed, 1 half-open, 2 open.', labelNames: ['model'] },
  budgetSpent: { name: 'dataops_llm_budget_spent_usd', help: "Today's (UTC) LLM spend in US dollars.", labelNames: [] },
  budgetLimit: { name: 'dataops_llm_budget_limit_usd', help: 'Daily LLM budget in US dollars (absent when unlimited).', labelNames: [] },
  notices: { name: 'dataops_notices_total', help: 'Notices by kind and channel (email | slack | log; channel "raised" counts raised events).', labelNames: ['kind', 'channel'] },
  workerUp: { name: 'dataops_worker_up', help: 'Worker processes that reported within the last minute (1 per process).', labelNames: ['worker', 'queues'] },
  workerRss: { name: 'dataops_worker_resident_memory_bytes', help: 'Resident memory of each worker process.', labelNames: ['worker'] },
  workerHeap: { name: 'dataops_worker_heap_used_bytes', help: 'V8 heap used by each worker process.', labelNames: ['worker'] },
  workerCpu: { name: 'dataops_worker_cpu_seconds', help: 'CPU time used by each worker process since it started.', labelNames: ['worker', 'mode'] },
  workerLoopDelay: { name: 'dataops_worker_event_loop_delay_p99_seconds', help: 'p99 event-loop delay of each worker process over its last report interval.', labelNames: ['worker'] },
  scrapeErrors: { name: 'dataops_metrics_scrape_errors_total', help: 'Errors while reading metrics from Redis or BullMQ in this process.', labelNames: ['source'] },
} as const satisfies Record<string, CounterDef>;

/** BullMQ job states reported per queue. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
