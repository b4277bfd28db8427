/**
 * LLM engine benchmark: real runs through the queues against the fake
 * OpenAI-compatible server (200 ms per reply), cleaned by separate
 * `dataops worker --queues clean` processes.
 *
 *   npm run bench:llm [-- --rows 4000 --rps 40 --batch 20 --workers 1,2,4 --naive-rows 60 --repeat 3]
 *
 * Each configuration runs `--repeat` times (the naive baseline once) and the
 * median is shown. Rows/s is measured over the clean phase of each run (first chunk started to
 * last chunk finished, from the chunk jobs' own timestamps), after a warm-up run
 * that gives every fresh worker process its first chunk. Requests in flight per
 * worker = chunks at a time (--concurrency) × LLM_CONCURRENCY; see `cases`.
 * Uses a unique QUEUE_PREFIX and a temp DATA_DIR; deletes both afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/config';
import { createResources, type Resources } from '../src/context';
import { silentLogger } from '../src/logger';
import { startRun } from '../src/runs/start-run';
import { startWorkers } from '../workers';
import { startFakeLlm, type FakeLlm } from '../tests/support/fake-llm-server';
import { deletePrefix } from '../tests/support/harness';

const REPO = path.resolve(__dirname, '..');
const LATENCY_MS = 200;

interface Case {
  name: string;
  workers: number;
  rps?: number;
  batch: number;
  rows: number;
  chunkConcurrency: number;
  llmConcurrency: number;
  chunk: number;
}

interface Row extends Case {
  ceiling: number;
  rowsPerS: number;
  seconds: number;
  requests: number;
  maxPerS: number;
  /** rows/s of every repetition. */
  all?: number[];
}

function taskYaml(name: string, batch: number): string {
  return [`task_name: ${name}`, 'engine: llm', 'model: gpt-4o-mini', `batch_size: ${batch}`, 'cache: false', 'prompt: "{{text}}"', 'rules:', '  before: [trim]'].join('\n');
}

async function setupResources(dir: string, batches: number[]): Promise<string> {
  const res = path.join(dir, 'resources');
  await fs.cp(path.join(REPO, 'resources'), res, { recursive: true });
  const lines: string[] = [];
  for (const b of new Set(batches)) {
    await fs.writeFile(path.join(res, 'tasks', `bench_b${b}.yaml`), taskYaml(`bench_b${b}`, b));
    lines.push(`  bench_b${b}:`, '    source: sample', '    options: { rows: 100, html_ratio: 0, duplicate_ratio: 0, near_duplicate_ratio: 0, empty_ratio: 0, null_ratio: 0 }', `    task: bench_b${b}`, '    chunk_size: 500', '    output: bench_out');
  }
  await fs.appendFile(path.join(res, 'pipelines.yaml'), `\n${lines.join('\n')}\n`);
  return res;
}

async function spawnWorkers(n: number, c: Case, env: NodeJS.ProcessEnv) {
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'worker', '--queues', 'clean', '--concurrency', String(c.chunkConcurrency)], {
      cwd: REPO,
      env: { ...env, LOG_LEVEL: 'info', LLM_CONCURRENCY: String(c.llmConcurrency), ...(c.rps ? { LLM_MAX_RPS: String(c.rps) } : { LLM_MAX_RPS: '' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const stop = async () => {
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : (p.once('exit', r), p.kill('SIGTERM'))))));
  };
  const ready = Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          let out = '';
          const onData = (b: Buffer) => {
            out += b.toString();
            if (out.includes('worker started')) resolve();
          };
          p.stdout.on('data', onData);
          p.stderr.on('data', onData);
          p.once('exit', (code) => reject(new Error(`worker exited ${code}: ${out.slice(-2000)}`)));
        }),
    ),
  );
  // If one process fails to start, stop the others before giving up.
  await ready.catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return stop;
}

/** Start a run of `rows` sample rows (seed varies so nothing repeats) and wait until it completes. */
async function runToEnd(res: Resources, c: Case, rows: number, seed: number, chunk = c.chunk): Promise<string> {
  const { runId } = await startRun(res, { pipeline: `bench_b${c.batch}`, trigger: 'cli', overrides: { options: { rows, seed }, chunk_size: chunk } });
  for (;;) {
    const s = await res.runs.get(runId);
    if (s?.state === 'completed') return runId;
    if (s?.state === 'failed') throw new Error(`run failed: ${s.error?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(res: Resources, fake: FakeLlm, c: Case, env: NodeJS.ProcessEnv, repeat: number): Promise<Row> {
  const stop = await spawnWorkers(c.workers, c, env);
  try {
    // Warm up: a fresh process's first chunk pays for lazy module loading, JIT and new connections.
    await runToEnd(res, c, c.workers * c.chunkConcurrency * c.batch * 2, 1000, c.batch * 2);
    const inFlight = c.workers * c.chunkConcurrency * c.llmConcurrency;
    const ceiling = c.rps ? c.rps * c.batch : (inFlight * 1000 * c.batch) / LATENCY_MS;
    const runs: Row[] = [];
    for (let i = 0; i < repeat; i++) {
      fake.resetStats();
      const runId = await runToEnd(res, c, c.rows, i);
      const jobs = (await res.queues.clean.getJobs(['completed'], 0, -1)).filter((j) => j.data.runId === runId);
      const seconds = (Math.max(...jobs.map((j) => j.finishedOn!)) - Math.min(...jobs.map((j) => j.processedOn!))) / 1000;
      runs.push({ ...c, ceiling, rowsPerS: c.rows / seconds, seconds, requests: fake.stats.requests, maxPerS: fake.maxPerSecond() });
    }
    // The median run, with the busiest second seen in any of them.
    const median = [...runs].sort((a, b) => a.rowsPerS - b.rowsPerS)[Math.floor(runs.length / 2)]!;
    return { ...median, maxPerS: Math.max(...runs.map((r) => r.maxPerS)), all: runs.map((r) => r.rowsPerS) };
  } finally {
    await stop();
  }
}

async function main(): Promise<void> {
  const o = new Command('bench:llm')
    .option('--rows <n>', 'rows per batched run', '4000')
    .option('--rps <n>', 'LLM_MAX_RPS for the rate-limited runs', '40')
    .option('--batch <n>', 'batch_size', '20')
    .option('--workers <list>', 'worker process counts', '1,2,4')
    .option('--naive-rows <n>', 'rows for the naive baseline', '60')
    .option('--repeat <n>', 'measured runs per configuration (the median is shown)', '3')
    .parse()
    .opts<{ rows: string; rps: string; batch: string; workers: string; naiveRows: string; repeat: string }>();
  const rows = Number(o.rows);
  const batch = Number(o.batch);
  const counts = o.workers.split(',').map(Number);
  // Rate-limited: each worker alone could nearly fill the limit (8 in flight × 20 rows / 0.2 s = 800 rows/s).
  // Chunks of 640 rows are cleaned in slices of 160 rows = 8 batches = 2 rounds of 4 lanes.
  const limited = { batch, rows, chunkConcurrency: 2, llmConcurrency: 4, chunk: 640 };
  // Scaling: 2 requests in flight per worker (200 rows/s each), 16 chunks of 200 rows, so the
  // ceiling grows with the workers while staying within what this machine's CPU can serve.
  const scaling = { batch, rows: Math.round((rows * 0.8) / 200) * 200, chunkConcurrency: 1, llmConcurrency: 2, chunk: 200 };
  const cases: Case[] = [
    ...counts.map((w) => ({ name: `LLM_MAX_RPS=${o.rps}`, workers: w, rps: Number(o.rps), ...limited })),
    ...counts.map((w) => ({ name: 'no rate limit', workers: w, ...scaling })),
    { name: 'no rate limit, 8 in flight per worker', workers: Math.max(...counts), ...limited },
    { name: 'naive: 1 row/request, 1 at a time', workers: 1, batch: 1, rows: Number(o.naiveRows), chunkConcurrency: 1, llmConcurrency: 1, chunk: 500 },
  ];

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-bench-llm-'));
  const prefix = `bench-llm-${process.pid}-${Date.now()}`;
  const fake = await startFakeLlm({ latencyMs: LATENCY_MS });
  const resourcesDir = await setupResources(dir, cases.map((c) => c.batch));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    QUEUE_PREFIX: prefix,
    DATA_DIR: path.join(dir, 'data'),
    RESOURCES_DIR: resourcesDir,
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'sk-bench-fake',
    LLM_DAILY_BUDGET_USD: '',
  };
  const res = createResources(loadConfig(env), { logger: silentLogger() });
  const pipelineWorkers = startWorkers(res, { queues: ['pipeline'] });
  const out: Row[] = [];
  try {
    for (const c of cases) {
      const r = await measure(res, fake, c, env, c.batch === 1 ? 1 : Number(o.repeat));
      out.push(r);
      console.error(`${r.name}, ${r.workers} worker(s): ${r.all?.map((x) => x.toFixed(0)).join(', ')} rows/s (median ${((100 * r.rowsPerS) / r.ceiling).toFixed(0)}% of ${r.ceiling})`);
    }
  } finally {
    await pipelineWorkers.close();
    await res.close();
    await fake.close();
    await deletePrefix(prefix, res.config.redisUrl);
    await fs.rm(dir, { recursive: true, force: true });
  }
  printTable(out);
  // BullMQ leaves the workers' own connections open after close(); nothing else is pending.
  process.exit(0);
}

function printTable(rows: Row[]): void {
  const cpu = os.cpus();
  console.log(`\nLLM engine benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpu.length} vCPU (${cpu[0]?.model.trim()}), Node ${process.version}, fake server latency ${LATENCY_MS} ms\n`);
  console.log('| configuration | worker processes | batch_size | in flight | rows | clean phase (s) | rows/s (median) | runs (rows/s) | ceiling (rows/s) | % of ceiling | requests | max requests in 1 s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const inFlight = r.workers * r.chunkConcurrency * r.llmConcurrency;
    const cells = [r.name, r.workers, r.batch, inFlight, r.rows.toLocaleString('en-US'), r.seconds.toFixed(2), r.rowsPerS.toFixed(0), (r.all ?? []).map((x) => x.toFixed(0)).join(', '), r.ceiling.toLocaleString('en-US'), `${((100 * r.rowsPerS) / r.ceiling).toFixed(0)}%`, r.requests, r.maxPerS];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log('\nceiling: LLM_MAX_RPS × batch_size when rate-limited; otherwise requests in flight × batch_size / latency.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
