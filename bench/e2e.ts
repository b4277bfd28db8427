/**
 * End-to-end benchmark: one real run of a `bench` pipeline (sample source,
 * normalize_text rules) through the queues, with the pipeline worker and W
 * clean workers as separate processes against a private Redis.
 *
 *   npm run bench:e2e -- --rows 1000000 --workers 2 [--chunk 25000] [--concurrency 1] [--json]
 *   npm run bench:e2e -- --runs 20 --workers 2 [--fifo]   (concurrent pipelines, fairness)
 *
 * Prints per-step wall time, rows/s, peak RSS (VmHWM) per process kind,
 * Parquet bytes and compression against the CSV, and Redis peak memory.
 */
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startRun } from '../src/runs/start-run';
import { createBenchEnv, mb, table } from './lib/bench-env';
import { runFairness } from './lib/fairness';
import { killWorker, spawnBenchWorker, vmHwm, type BenchWorker } from './lib/procs';

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '1' },
    chunk: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    // Concurrent-pipelines mode: this many runs of three sizes at once.
    runs: { type: 'string' },
    fifo: { type: 'boolean', default: false },
  },
});
const rows = Number(a.rows);
const nWorkers = Number(a.workers);
const chunk = a.chunk ? Number(a.chunk) : Math.min(25_000, Math.max(5_000, Math.ceil(rows / 40)));
const concurrency = Number(a.concurrency);
for (const [k, v] of Object.entries({ rows, workers: nWorkers, chunk, concurrency })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got ${String(v)}`);
}

const PIPELINE = `  bench:
    source: sample
    options: { rows: ${rows}, seed: 7 }
    task: normalize_text
    chunk_size: ${chunk}
    quality: { required_columns: [raw_text], max_null_ratio: 0.2 }
    output: bench_out`;

async function main(): Promise<void> {
  const env = await createBenchEnv({ pipelinesYaml: PIPELINE });
  const procs: BenchWorker[] = [];
  const peak = new Map<number, { kind: string; rss: number }>();
  let redisPeak = 0;
  const sample = async () => {
    for (const p of procs) {
      const r = p.peakRss();
      if (r !== null) peak.set(p.pid, { kind: p.kind, rss: Math.max(r, peak.get(p.pid)?.rss ?? 0) });
    }
    const m = await env.redis.memory().catch(() => null);
    if (m) redisPeak = Math.max(redisPeak, m.used_memory ?? 0);
  };
  try {
    const base = await env.redis.memory();
    procs.push(spawnBenchWorker('pipeline worker', ['--queues', 'pipeline'], env.env));
    for (let i = 0; i < nWorkers; i++) procs.push(spawnBenchWorker('clean worker', ['--queues', 'clean', '--concurrency', String(concurrency)], env.env));
    await Promise.all(procs.map((p) => p.ready));
    const t0 = Date.now();
    const { runId } = await startRun(env.res, { pipeline: 'bench', trigger: 'api' });
    let ticks = 0;
    const { status, seen } = await env.waitForRun(runId, 30 * 60_000, async () => {
      if (ticks++ % 4 === 0) await sample();
    });
    const t1 = Date.now();
    await sample();
    const after = await env.redis.memory();
    if (status.state !== 'completed') throw new Error(`run ${runId} ${status.state}: ${status.error?.message}`);
    const steps = status.timings.steps;
    const processedBytes = (await fs.stat(status.outputs.processed!)).size;
    const rawBytes = (await fs.stat(status.outputs.raw!)).size;
    const csvBytes = (await fs.stat(status.outputs.csv!)).size;
    const cleanMs = (seen.finalizing ?? t1) - (seen.cleaning ?? t0);
    const finalizeMs = (steps.mergeMs ?? 0) + (steps.csvMs ?? 0);
    const kinds = new Map<string, number>();
    for (const { kind, rss } of peak.values()) kinds.set(kind, Math.max(kinds.get(kind) ?? 0, rss));
    kinds.set('bench driver (in-process)', vmHwm(process.pid) ?? process.memoryUsage().rss);
    const result = {
      rows: status.counts.rowsCollected,
      workers: nWorkers,
      concurrency,
      chunkSize: chunk,
      chunks: status.counts.chunks,
      collectMs: steps.collectMs ?? 0,
      cleanMs,
      mergeMs: steps.mergeMs ?? 0,
      csvMs: steps.csvMs ?? 0,
      finalizeMs,
      totalMs: t1 - t0,
      rowsPerSec: Math.round(status.counts.rowsCollected / ((t1 - t0) / 1000)),
      peakRss: Object.fromEntries(kinds),
      rawBytes,
      processedBytes,
      csvBytes,
      compression: csvBytes / processedBytes,
      redisUsedPeak: Math.max(redisPeak, after.used_memory_peak ?? 0),
      redisBaseline: base.used_memory ?? 0,
      rowsCleaned: status.counts.rowsCleaned,
      rowsFailed: status.counts.rowsFailed,
    };
    if (a.json) console.log(JSON.stringify(result));
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      table([
        ['metric', 'value'],
        ['rows', result.rows],
        ['clean workers × concurrency', `${nWorkers} × ${concurrency}`],
        ['chunks × chunk_size', `${result.chunks} × ${chunk}`],
        ['collect', s(result.collectMs)],
        ['clean (fan-out → finalize)', s(cleanMs)],
        ['finalize (merge + csv)', `${s(finalizeMs)} (${s(result.mergeMs)} + ${s(result.csvMs)})`],
        ['total (queued → completed)', s(result.totalMs)],
        ['rows/s', result.rowsPerSec],
        ...[...kinds].map(([k, v]) => [`peak RSS ${k}`, mb(v)] as [string, string]),
        ['raw Parquet', mb(rawBytes)],
        ['processed Parquet', mb(processedBytes)],
        ['output CSV (uncompressed)', mb(csvBytes)],
        ['compression CSV / processed Parquet', `${result.compression.toFixed(2)}×`],
        ['Redis used_memory peak (baseline)', `${mb(result.redisUsedPeak)} (${mb(result.redisBaseline)})`],
      ]),
    );
  } finally {
    await Promise.all(procs.map((p) => killWorker(p, 'SIGTERM')));
    await env.close();
  }
}

(a.runs ? runFairness({ runs: Number(a.runs), workers: nWorkers, concurrency, fifo: a.fifo! }).then(() => undefined) : main()).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
