/**
 * Concurrent pipelines: N runs of three sizes started at once (large ones
 * first) on one pipeline worker and W clean workers. Reports total throughput
 * and per-size latency. With `fifo`, every pipeline gets the same explicit
 * priority, which turns the size-based chunk priority off for comparison.
 */
import { startRun } from '../../src/runs/start-run';
import { createBenchEnv, table } from './bench-env';
import { killWorker, spawnBenchWorker, type BenchWorker } from './procs';

/** Options of {@link runFairness}. */
export interface FairnessOptions {
  runs: number;
  workers: number;
  concurrency: number;
  fifo: boolean;
}

const SIZES = [
  { name: 'large', rows: 200_000, chunk: 10_000 },
  { name: 'medium', rows: 50_000, chunk: 5_000 },
  { name: 'small', rows: 3_000, chunk: 1_000 },
];

/** Run the fairness benchmark and print its table. */
export async function runFairness(o: FairnessOptions): Promise<Record<string, unknown>> {
  const yaml = SIZES.map(
    (s) => `  bench_${s.name}:
    source: sample
    options: { rows: ${s.rows} }
    task: normalize_text
    chunk_size: ${s.chunk}${o.fifo ? '\n    priority: 5' : ''}
    output: bench_${s.name}`,
  ).join('\n');
  const env = await createBenchEnv({ pipelinesYaml: yaml });
  const procs: BenchWorker[] = [spawnBenchWorker('pipeline worker', ['--queues', 'pipeline'], env.env)];
  for (let i = 0; i < o.workers; i++) procs.push(spawnBenchWorker('clean worker', ['--queues', 'clean', '--concurrency', String(o.concurrency)], env.env));
  try {
    await Promise.all(procs.map((p) => p.ready));
    // 2 large, 4 medium, the rest small; large ones are queued first.
    const plan = Array.from({ length: o.runs }, (_, i) => (i < 2 ? SIZES[0]! : i < 6 ? SIZES[1]! : SIZES[2]!));
    const t0 = Date.now();
    const started = [];
    for (const s of plan) started.push({ size: s, runId: (await startRun(env.res, { pipeline: `bench_${s.name}`, trigger: 'api' })).runId, at: Date.now() });
    const done = await Promise.all(
      started.map(async (r) => {
        const { status } = await env.waitForRun(r.runId, 20 * 60_000);
        return { ...r, status, latencyMs: Date.now() - r.at };
      }),
    );
    const wallMs = Date.now() - t0;
    const rows = done.reduce((s, r) => s + r.status.counts.rowsCollected, 0);
    const bySize = SIZES.map((s) => {
      const mine = done.filter((d) => d.size.name === s.name);
      const lat = mine.map((d) => d.latencyMs).sort((x, y) => x - y);
      return { size: `${s.name} (${s.rows} rows)`, runs: mine.length, completed: mine.filter((d) => d.status.state === 'completed').length, minS: lat[0]! / 1000, medianS: lat[Math.floor(lat.length / 2)]! / 1000, maxS: lat[lat.length - 1]! / 1000 };
    });
    console.log(`${o.runs} runs, ${o.workers} clean workers × ${o.concurrency}, ${o.fifo ? 'FIFO (same explicit priority)' : 'size-based chunk priority'}: ${rows} rows in ${(wallMs / 1000).toFixed(1)} s = ${Math.round(rows / (wallMs / 1000))} rows/s`);
    console.log(table([['size', 'runs', 'completed', 'latency min', 'median', 'max'], ...bySize.map((b) => [b.size, b.runs, b.completed, `${b.minS.toFixed(1)} s`, `${b.medianS.toFixed(1)} s`, `${b.maxS.toFixed(1)} s`])]));
    return { wallMs, rows, bySize, fifo: o.fifo };
  } finally {
    await Promise.all(procs.map((p) => killWorker(p, 'SIGTERM')));
    await env.close();
  }
}
