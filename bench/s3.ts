/**
 * S3 (s3rver on loopback) versus the local filesystem, at the same row count:
 *  1. the store alone: Parquet write, full read, one chunk read (range requests
 *     on S3), CSV write — in this process;
 *  2. a real run of a `bench` pipeline through the queues, with a pipeline
 *     worker and a clean worker as separate processes on a private Redis.
 *
 *   npx tsx bench/s3.ts --rows 200000 [--chunk 10000] [--only store|run]
 *
 * s3rver writes every object to local disk behind an HTTP server in this
 * process, so "S3" here measures the protocol and SDK overhead, not a network.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import { startRun } from '../src/runs/start-run';
import { writeCsv } from '../src/storage/csv';
import { createStore } from '../src/storage/factory';
import type { ObjectStore } from '../src/storage/object-store';
import { readParquet, writeParquet } from '../src/storage/parquet';
import { RAW_COLUMNS } from '../src/storage/parquet-schemas';
import type { RawRow } from '../src/types';
import { createBenchEnv, table } from './lib/bench-env';
import { killWorker, spawnBenchWorker, type BenchWorker } from './lib/procs';

const { values: a } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, chunk: { type: 'string', default: '10000' }, only: { type: 'string' } } });
const ROWS = Number(a.rows);
const CHUNK = Number(a.chunk);
const BUCKET = 'bench';
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const WORDS = ['data', '파이프라인', 'clean', 'text', 'émoji 😀', 'row', 'quality', 'batch', 'worker', '"quoted"', 'a,b'];

function* rawRows(n: number): Iterable<RawRow> {
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 12 + (i % 20) }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]!);
    yield { id: i + 1, source: 'sample', raw_text: words.join(' '), created_at: new Date(Date.UTC(2026, 10, 22) + i * 1000), metadata: `{"n":${i}}` };
  }
}

/** s3rver on 127.0.0.1 with request counters. */
async function startS3rver(dir: string) {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  const stats = { requests: {} as Record<string, number>, bytesIn: 0, bytesOut: 0, outByKind: {} as Record<string, number> };
  server.httpServer!.on('request', (req, res) => {
    const ranged = req.method === 'GET' && req.headers.range ? 'GET (range)' : req.method!;
    stats.requests[ranged] = (stats.requests[ranged] ?? 0) + 1;
    stats.bytesIn += Number(req.headers['content-length'] ?? 0);
    res.on('finish', () => {
      // Only GET bodies: HEAD answers carry the object's Content-Length without a body.
      if (req.method !== 'GET') return;
      const bytes = Number(res.getHeader('content-length') ?? 0);
      stats.bytesOut += bytes;
      // /<bucket>/<prefix>/<kind>/…: which kind of file the downloaded bytes belong to.
      const kind = (req.url ?? '').split('?')[0]!.split('/')[3] ?? '';
      stats.outByKind[kind] = (stats.outByKind[kind] ?? 0) + bytes;
    });
  });
  const reset = () => Object.assign(stats, { requests: {}, bytesIn: 0, bytesOut: 0, outByKind: {} });
  return { endpoint: `http://127.0.0.1:${port}`, stats, reset, close: () => server.close() };
}
type S3 = Awaited<ReturnType<typeof startS3rver>>;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, out];
}

/** Store-level steps; milliseconds per step. */
async function storeSteps(store: ObjectStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const [w, meta] = await timed(() => writeParquet(store, 'raw/bench.parquet', 'raw', rawRows(ROWS), { kind: 'raw', inputs: [] }));
  out[`parquet write (raw, ${(meta.bytes / 2 ** 20).toFixed(1)} MB)`] = w;
  const count = async (it: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of it) n++;
    return n;
  };
  const [r, n] = await timed(() => count(readParquet(store, 'raw/bench.parquet')));
  if (n !== ROWS) throw new Error(`read ${n} rows, wrote ${ROWS}`);
  out['parquet read (all rows)'] = r;
  const offset = Math.max(0, ROWS - 2 * CHUNK);
  const [c, k] = await timed(() => count(readParquet(store, 'raw/bench.parquet', { offset, limit: CHUNK })));
  if (k !== Math.min(CHUNK, ROWS)) throw new Error(`chunk read gave ${k} rows`);
  out[`parquet read (${CHUNK} rows at offset ${offset})`] = c;
  const [v] = await timed(() => writeCsv(store, 'output/bench.csv', rawRows(ROWS) as Iterable<unknown> as Iterable<Record<string, unknown>>, RAW_COLUMNS, { kind: 'output', inputs: [] }));
  out['csv write (raw columns)'] = v;
  return out;
}

/** One real run; milliseconds per step. */
async function runSteps(extraEnv: Record<string, string>): Promise<Record<string, number>> {
  const pipeline = `  bench:\n    source: sample\n    options: { rows: ${ROWS}, seed: 7 }\n    task: normalize_text\n    chunk_size: ${CHUNK}\n    quality: { required_columns: [raw_text], max_null_ratio: 0.2 }\n    output: bench_out`;
  const env = await createBenchEnv({ pipelinesYaml: pipeline, extraEnv });
  const procs: BenchWorker[] = [];
  try {
    procs.push(spawnBenchWorker('pipeline', ['--queues', 'pipeline'], env.env), spawnBenchWorker('clean', ['--queues', 'clean', '--concurrency', '1'], env.env));
    await Promise.all(procs.map((p) => p.ready));
    const t0 = Date.now();
    const { runId } = await startRun(env.res, { pipeline: 'bench', trigger: 'api' });
    const { status, seen } = await env.waitForRun(runId, 30 * 60_000);
    const t1 = Date.now();
    if (status.state !== 'completed' || status.counts.rowsCollected !== ROWS) throw new Error(`run ${runId} ${status.state}: ${status.error?.message}`);
    const steps = status.timings.steps;
    const sizes = await env.res.catalog.listRun(runId);
    const size = (k: string) => `${k} ${((sizes.find((e) => e.kind === k)?.bytes ?? 0) / 2 ** 20).toFixed(1)} MB`;
    console.log(`run files: ${['raw', 'processed', 'output'].map(size).join(', ')}`);
    return {
      collect: steps.collectMs ?? 0,
      [`clean (${status.counts.chunks} chunks, 1 worker)`]: (seen.finalizing ?? t1) - (seen.cleaning ?? t0),
      'merge (parts → processed)': steps.mergeMs ?? 0,
      'csv (processed → output)': steps.csvMs ?? 0,
      'total run (queued → completed)': t1 - t0,
    };
  } finally {
    await Promise.all(procs.map((p) => killWorker(p, 'SIGTERM')));
    await env.close();
  }
}

function report(title: string, local: Record<string, number>, s3: Record<string, number>): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const rows = Object.keys(local).map((k, i) => {
    const sk = Object.keys(s3)[i]!;
    return [k, s(local[k]!), s(s3[sk]!), `${(s3[sk]! / local[k]!).toFixed(2)}×`];
  });
  console.log(`\n${title}\n`);
  console.log(table([['step', 'local (s)', 'S3 / s3rver (s)', 'S3 ÷ local'], ...rows]));
}

function requests(s3: S3): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const r = Object.entries(s3.stats.requests).sort().map(([m, n]) => `${m} ${n}`).join(', ');
  const kinds = Object.entries(s3.stats.outByKind).sort().map(([k, b]) => `${k} ${mb(b)}`).join(', ');
  return `S3 requests: ${r}; uploaded ${mb(s3.stats.bytesIn)}, downloaded ${mb(s3.stats.bytesOut)} (${kinds})`;
}

async function main(): Promise<void> {
  for (const [k, v] of Object.entries({ rows: ROWS, chunk: CHUNK })) if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
  Object.assign(process.env, CREDS);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-s3-'));
  const s3 = await startS3rver(path.join(tmp, 's3rver'));
  const s3Config = { S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'us-east-1', ...CREDS };
  console.log(`rows=${ROWS} chunk=${CHUNK} node=${process.version} cpus=${os.cpus().length} load=${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    if (a.only !== 'run') {
      const local = await storeSteps(createStore({ dataDir: path.join(tmp, 'local'), s3: { region: 'us-east-1', forcePathStyle: false } }));
      s3.reset();
      const remote = await storeSteps(
        createStore({ dataDir: path.join(tmp, 'scratch'), storageUrl: `s3://${BUCKET}/store`, s3: { endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true } }),
      );
      report('Store only (this process)', local, remote);
      console.log(requests(s3));
    }
    if (a.only !== 'store') {
      const local = await runSteps({});
      s3.reset();
      const remote = await runSteps({ STORAGE_URL: `s3://${BUCKET}/run`, ...s3Config });
      report('Real run (pipeline + clean worker processes, private Redis)', local, remote);
      console.log(requests(s3));
    }
  } finally {
    await s3.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
