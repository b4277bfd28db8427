/**
 * A tiny Redis time series of chunk outcomes, kept in per-minute buckets with
 * a TTL, for the alert rules. The clean worker records one sample per chunk.
 *
 * Key: `<keyPrefix>:metrics:chunks:<epochMinute>` → hash
 * { ok, failed, rows, latSum, waitSum, lat:<i>, wait:<i> } where `lat:<i>` / `wait:<i>`
 * count samples in histogram bucket i of {@link HISTOGRAM_BOUNDS_MS}.
 */
import type { Redis } from 'ioredis';

/** Upper bounds (ms) of the latency / wait histogram buckets; the last bucket is unbounded. */
export const HISTOGRAM_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
/** How long minute buckets are kept. */
export const METRICS_TTL_SECONDS = 26 * 3600;

/** One cleaned (or failed) chunk. */
export interface ChunkSample {
  ok: boolean;
  /** Rows in the chunk. */
  rows: number;
  /** Processing time of the chunk. */
  latencyMs: number;
  /** Time the job waited in the queue before a worker took it. */
  waitMs: number;
  /** When the chunk finished. */
  at: Date;
}

/** Aggregated metrics over a window of whole minutes. */
export interface WindowMetrics {
  /** Chunks in the window. */
  samples: number;
  ok: number;
  failed: number;
  rows: number;
  /** failed / samples × 100 (0 with no samples). */
  errorRatePct: number;
  /** Rows per minute over the window. */
  throughputRowsPerMin: number;
  latencyMsAvg: number;
  latencyMsP95: number;
  queueWaitMsAvg: number;
  queueWaitMsP95: number;
}

const minuteOf = (d: Date | number): number => Math.floor((typeof d === 'number' ? d : d.getTime()) / 60_000);
const bucketKey = (keyPrefix: string, minute: number): string => `${keyPrefix}:metrics:chunks:${minute}`;

function histIndex(ms: number): number {
  const i = HISTOGRAM_BOUNDS_MS.findIndex((b) => ms <= b);
  return i === -1 ? HISTOGRAM_BOUNDS_MS.length : i;
}

/** Record one chunk outcome into its minute bucket. Cheap: one MULTI round trip. */
export async function recordChunkMetric(redis: Redis, keyPrefix: string, s: ChunkSample, ttlSeconds = METRICS_TTL_SECONDS): Promise<void> {
  const minute = minuteOf(s.at);
  const key = bucketKey(keyPrefix, minute);
  const latency = Math.max(0, s.latencyMs);
  const wait = Math.max(0, s.waitMs);
  await redis
    .multi()
    .hincrby(key, s.ok ? 'ok' : 'failed', 1)
    .hincrby(key, 'rows', Math.max(0, Math.round(s.rows)))
    .hincrbyfloat(key, 'latSum', latency)
    .hincrbyfloat(key, 'waitSum', wait)
    .hincrby(key, `lat:${histIndex(latency)}`, 1)
    .hincrby(key, `wait:${histIndex(wait)}`, 1)
    .expireat(key, (minute + 1) * 60 + ttlSeconds)
    .exec();
}

function percentile(hist: number[], total: number, p: number): number {
  if (total === 0) return 0;
  const target = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= target) return HISTOGRAM_BOUNDS_MS[Math.min(i, HISTOGRAM_BOUNDS_MS.length - 1)]!;
  }
  return HISTOGRAM_BOUNDS_MS[HISTOGRAM_BOUNDS_MS.length - 1]!;
}

/**
 * Aggregate the last `minutes` whole minutes before `now` (the current,
 * partial minute is left out so throughput is not understated).
 */
export async function readWindowMetrics(redis: Redis, keyPrefix: string, minutes: number, now: Date): Promise<WindowMetrics> {
  const end = minuteOf(now);
  const pipe = redis.pipeline();
  for (let m = end - minutes; m < end; m++) pipe.hgetall(bucketKey(keyPrefix, m));
  const results = (await pipe.exec()) ?? [];
  const n = HISTOGRAM_BOUNDS_MS.length + 1;
  const lat = new Array<number>(n).fill(0);
  const wait = new Array<number>(n).fill(0);
  let ok = 0, failed = 0, rows = 0, latSum = 0, waitSum = 0;
  for (const [err, raw] of results) {
    if (err) throw err;
    const h = raw as Record<string, string>;
    ok += Number(h.ok ?? 0);
    failed += Number(h.failed ?? 0);
    rows += Number(h.rows ?? 0);
    latSum += Number(h.latSum ?? 0);
    waitSum += Number(h.waitSum ?? 0);
    for (let i = 0; i < n; i++) {
      lat[i] += Number(h[`lat:${i}`] ?? 0);
      wait[i] += Number(h[`wait:${i}`] ?? 0);
    }
  }
  const samples = ok + failed;
  return {
    samples,
    ok,
    failed,
    rows,
    errorRatePct: samples ? (failed / samples) * 100 : 0,
    throughputRowsPerMin: rows / minutes,
    latencyMsAvg: samples ? latSum / samples : 0,
    latencyMsP95: percentile(lat, samples, 0.95),
    queueWaitMsAvg: samples ? waitSum / samples : 0,
    queueWaitMsP95: percentile(wait, samples, 0.95),
  };
}
