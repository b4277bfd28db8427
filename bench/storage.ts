/**
 * Storage benchmark: Parquet write/read and CSV write throughput, peak RSS and
 * file sizes. Rows are generated lazily so memory stays bounded.
 *
 *   npx tsx bench/storage.ts --rows 1000000 [--row-group-size 10000] [--keep]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { LocalObjectStore } from '../src/storage/local-store';
import { DEFAULT_ROW_GROUP_SIZE, readParquet, writeParquet } from '../src/storage/parquet';
import { writeCsv } from '../src/storage/csv';
import { PROCESSED_COLUMNS } from '../src/storage/parquet-schemas';
import type { ProcessedRow, RawRow } from '../src/types';

const WORDS = ['data', '파이프라인', 'clean', 'text', 'émoji 😀', 'row', 'quality', 'batch', 'worker', '"quoted"', 'a,b'];
const BASE = Date.UTC(2026, 10, 22);

function text(i: number): string {
  const n = 12 + (i % 20);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(WORDS[(i * 7 + k * 13) % WORDS.length]!);
  return out.join(' ');
}

function* rawRows(n: number): Iterable<RawRow> {
  for (let i = 0; i < n; i++) {
    yield { id: i + 1, source: 'sample', raw_text: text(i), created_at: new Date(BASE + i * 1000), metadata: `{"n":${i},"lang":"ko"}` };
  }
}

function* processedRows(n: number): Iterable<ProcessedRow> {
  let i = 0;
  for (const r of rawRows(n)) {
    yield { ...r, cleaned_text: r.raw_text!.toLowerCase(), llm_model: null, cleaning_task: 'normalize_text', processed_at: new Date(BASE + 9e7 + i), status: 'cleaned', error: null };
    i++;
  }
}

interface Result {
  step: string;
  rows: number;
  seconds: number;
  peakRssMb: number;
  sizeMb?: number;
}

async function measure(step: string, fn: () => Promise<{ rows: number; bytes?: number }>): Promise<Result> {
  if (global.gc) global.gc();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = process.hrtime.bigint();
  const { rows, bytes } = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { step, rows, seconds, peakRssMb: peak / 2 ** 20, sizeMb: bytes === undefined ? undefined : bytes / 2 ** 20 };
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--rows <n>', 'rows to write', '1000000')
    .option('--row-group-size <n>', 'rows per Parquet row group', String(DEFAULT_ROW_GROUP_SIZE))
    .option('--chunk <n>', 'rows in the chunk read (as a clean job does)', '500')
    .option('--keep', 'keep the files')
    .parse()
    .opts<{ rows: string; rowGroupSize: string; chunk: string; keep?: boolean }>();
  const n = Number(opts.rows);
  const rowGroupSize = Number(opts.rowGroupSize);
  const chunk = Number(opts.chunk);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-storage-'));
  const store = new LocalObjectStore(dir);
  const meta = { kind: 'raw' as const, inputs: [] };
  const results: Result[] = [];
  try {
    results.push(await measure('parquet write (raw)', async () => {
      const m = await writeParquet(store, 'raw/bench.parquet', 'raw', rawRows(n), meta, { rowGroupSize });
      return { rows: m.rows, bytes: m.bytes };
    }));
    results.push(await measure('parquet read (raw, all)', async () => {
      let rows = 0;
      for await (const _ of readParquet(store, 'raw/bench.parquet')) rows++;
      return { rows };
    }));
    const offset = Math.max(0, n - Math.floor(n / 10) - chunk); // a chunk near the end
    results.push(await measure(`parquet read (${chunk} rows at offset ${offset})`, async () => {
      let rows = 0;
      for await (const _ of readParquet(store, 'raw/bench.parquet', { offset, limit: chunk })) rows++;
      return { rows };
    }));
    results.push(await measure('parquet write (processed)', async () => {
      const m = await writeParquet(store, 'processed/bench.parquet', 'processed', processedRows(n), { ...meta, kind: 'processed' }, { rowGroupSize });
      return { rows: m.rows, bytes: m.bytes };
    }));
    results.push(await measure('csv write (processed columns)', async () => {
      const m = await writeCsv(store, 'output/bench.csv', processedRows(n) as Iterable<unknown> as Iterable<Record<string, unknown>>, PROCESSED_COLUMNS, { kind: 'output', inputs: [] });
      return { rows: m.rows, bytes: m.bytes };
    }));
  } finally {
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
    else console.log(`files kept in ${dir}`);
  }
  console.log(`\nrows=${n} rowGroupSize=${rowGroupSize} node=${process.version} cpus=${os.cpus().length}\n`);
  console.log('| step | rows | seconds | rows/s | peak RSS (MB) | file size (MB) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const rate = Math.round(r.rows / r.seconds).toLocaleString('en-US');
    console.log(`| ${r.step} | ${r.rows.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${rate} | ${r.peakRssMb.toFixed(0)} | ${r.sizeMb === undefined ? '' : r.sizeMb.toFixed(1)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
