/**
 * Chaos benchmark: a run against the fake LLM server (10% faults) while, on a
 * seeded schedule, clean workers are SIGKILLed and replaced, the pipeline
 * worker is SIGKILLed during collect and again during finalize, and the
 * run's private Redis (AOF, fsync always) is restarted. Then DuckDB checks.
 *
 *   npm run bench:chaos -- --seed 1 --rows 200000 [--workers 2] [--task llm_clean_text] [--json]
 */
import { parseArgs } from 'node:util';
import { startRun } from '../src/runs/start-run';
import { startFakeLlm } from '../tests/support/fake-llm-server';
import { createBenchEnv, table } from './lib/bench-env';
import { killWorker, spawnBenchWorker, type BenchWorker } from './lib/procs';
import { verifyRun } from './lib/verify';

const { values: a } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    rows: { type: 'string', default: '200000' },
    workers: { type: 'string', default: '2' },
    task: { type: 'string', default: 'llm_clean_text' },
    chunk: { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});
const seed = Number(a.seed);
const rows = Number(a.rows);
const nWorkers = Number(a.workers);
const chunk = Number(a.chunk);

/** mulberry32: small seeded PRNG so a seed replays the same schedule. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fault {
  at: number;
  what: string;
  when: string;
}

async function main(): Promise<void> {
  const rnd = prng(seed);
  const fake = await startFakeLlm({ seed, faults: { ratio: 0.1, retryAfterMs: 50 } });
  const workerEnv = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-fake-not-a-real-key', LLM_TIMEOUT_MS: '1000', WORKER_LOCK_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000' };
  const env = await createBenchEnv({
    pipelinesYaml: `  chaos:
    source: sample
    options: { rows: ${rows}, seed: ${seed} }
    task: ${a.task}
    chunk_size: ${chunk}
    quality: { required_columns: [raw_text], max_null_ratio: 0.2 }
    output: chaos_out`,
    extraEnv: workerEnv,
  });
  const procs: BenchWorker[] = [];
  const faults: Fault[] = [];
  const t0 = Date.now();
  const log = (what: string, when: string) => {
    faults.push({ at: Date.now() - t0, what, when });
    if (!a.json) console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${what} (${when})`);
  };
  const spawn = (kind: 'pipeline' | 'clean') => {
    const p = spawnBenchWorker(kind, kind === 'pipeline' ? ['--queues', 'pipeline'] : ['--queues', 'clean', '--concurrency', '2'], env.env);
    procs.push(p);
    return p;
  };
  try {
    let pipelineWorker = spawn('pipeline');
    const cleaners = Array.from({ length: nWorkers }, () => spawn('clean'));
    await Promise.all(procs.map((p) => p.ready));
    // Seeded schedule: fractions of the collect / chunk progress at which each fault fires.
    const collectKillAt = 0.2 + rnd() * 0.5;
    const cleanKills = [0.1 + rnd() * 0.3, 0.45 + rnd() * 0.35].map((f) => f);
    const redisRestartAt = 0.2 + rnd() * 0.6;
    const finalizeKillDelayMs = 200 + Math.floor(rnd() * 1500);
    const { runId } = await startRun(env.res, { pipeline: 'chaos', trigger: 'api' });
    let collectKilled = false;
    let finalizeKilled = false;
    let redisRestarted = false;
    let kills = 0;
    let finalizingSince = 0;
    let busy = false;
    const { status } = await env.waitForRun(runId, 20 * 60_000, async (s) => {
      if (!s || busy) return;
      busy = true;
      try {
        if (!collectKilled && s.state === 'collecting' && s.counts.rowsCollected >= collectKillAt * rows) {
          collectKilled = true;
          await killWorker(pipelineWorker);
          log('SIGKILL pipeline worker', `collect, ${s.counts.rowsCollected} rows collected`);
          pipelineWorker = spawn('pipeline');
        }
        const frac = s.counts.chunks ? s.counts.chunksDone / s.counts.chunks : 0;
        if (s.state === 'cleaning' && kills < cleanKills.length && frac >= cleanKills[kills]!) {
          const victim = cleaners.splice(Math.floor(rnd() * cleaners.length), 1)[0]!;
          kills++;
          await killWorker(victim);
          log(`SIGKILL clean worker ${kills}`, `clean, ${s.counts.chunksDone}/${s.counts.chunks} chunks done`);
          cleaners.push(spawn('clean'));
        }
        if (!redisRestarted && s.state === 'cleaning' && frac >= redisRestartAt) {
          redisRestarted = true;
          await env.redis.stop();
          log('Redis shutdown + restart (AOF)', `clean, ${s.counts.chunksDone}/${s.counts.chunks} chunks done`);
          await env.redis.start();
        }
        if (s.state === 'finalizing' && !finalizeKilled) {
          finalizingSince ||= Date.now();
          if (Date.now() - finalizingSince >= finalizeKillDelayMs) {
            finalizeKilled = true;
            await killWorker(pipelineWorker);
            log('SIGKILL pipeline worker', `finalize, ${Date.now() - finalizingSince} ms in`);
            pipelineWorker = spawn('pipeline');
          }
        }
      } finally {
        busy = false;
      }
    });
    const wallMs = Date.now() - t0;
    const checks = await verifyRun(status, env.dataDir);
    const llmFaults = [...fake.stats.faults.values()].reduce((x, y) => x + y, 0);
    faults.push({ at: wallMs, what: `LLM faults injected (10% of ${fake.stats.requests} requests)`, when: [...fake.stats.faults].map(([k, v]) => `${k} ${v}`).join(', ') || 'none' });
    const ok = checks.every((c) => c.passed);
    if (a.json) console.log(JSON.stringify({ seed, rows, wallMs, faults, llmFaults, checks, ok, counts: status.counts }));
    console.log(`\nchaos seed ${seed}, ${rows} rows, task ${a.task}, ${nWorkers} clean workers: ${status.state} in ${(wallMs / 1000).toFixed(1)} s`);
    console.log(table([['t (s)', 'fault', 'when'], ...faults.map((f) => [(f.at / 1000).toFixed(1), f.what, f.when])]));
    console.log(table([['check', 'result', 'detail'], ...checks.map((c) => [c.name, c.passed ? 'PASS' : 'FAIL', c.detail])]));
    console.log(`rows cleaned ${status.counts.rowsCleaned}, failed ${status.counts.rowsFailed}, chunks failed ${status.counts.chunksFailed}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await Promise.all(procs.map((p) => killWorker(p, 'SIGTERM')));
    await env.close();
    await fake.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
