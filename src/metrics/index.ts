/**
 * Prometheus metrics. Workers add to Redis-backed counters (record.ts,
 * instrument.ts); the API process exposes them at /metrics (router.ts).
 */
export { recordJobDone, recordLlm, recordLlmEvent, recordRows, recordRunOutcome } from './record';
export { instrumentWorker } from './instrument';
export { createMetricsRegistry, type MetricsRegistryOptions } from './registry';
export { metricsRouter, type MetricsRouterOptions } from './router';
export { COUNTERS, GAUGES, HISTOGRAMS, DURATION_BUCKETS_S } from './names';
export { startProcessHeartbeat, readProcessSnapshots, workerId, type ProcessSnapshot } from './heartbeat';
