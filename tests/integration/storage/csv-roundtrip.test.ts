/** The analysts' CSV survives csv-parse and DuckDB: quoting, BOM, header, types. */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { writeCsv } from '../../../src/storage/csv';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { readSidecar } from '../../../src/storage/sidecar';
import { readCsvRecords } from '../../../src/storage/readers';
import { hashFile } from '../../../src/storage/fs-util';
import { PROCESSED_COLUMNS } from '../../../src/storage/parquet';
import { processedRow, tempDir } from './fixtures';

const N = 5_000;

async function* slowRows(n: number): AsyncIterable<Record<string, unknown>> {
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    yield processedRow(i) as unknown as Record<string, unknown>;
  }
}

describe('CSV writer', () => {
  let store: LocalObjectStore;
  let cleanup: () => Promise<void>;
  const key = 'output/final_data_20261122_020000.csv';
  beforeAll(async () => {
    const t = await tempDir('csv');
    cleanup = t.cleanup;
    store = new LocalObjectStore(t.dir);
    await writeCsv(store, key, slowRows(N), PROCESSED_COLUMNS, { kind: 'output', runId: 'run-1', pipeline: 'p', inputs: ['processed/p.parquet'] });
  });
  afterAll(async () => cleanup());

  test('BOM, header row, no index column', async () => {
    const buf = await readFile(store.uri(key));
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const firstLine = buf.subarray(3).toString('utf8').split('\r\n')[0];
    expect(firstLine).toBe(PROCESSED_COLUMNS.join(','));
  });

  test('csv-parse reads back every value: commas, quotes, newlines, UTF-8, nulls, ISO dates', async () => {
    const recs = parse(await readFile(store.uri(key)), { bom: true, columns: true }) as Record<string, string>[];
    expect(recs).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      const w = processedRow(i);
      const want = {
        id: String(w.id),
        source: w.source,
        raw_text: w.raw_text ?? '',
        created_at: w.created_at.toISOString(),
        metadata: w.metadata ?? '',
        cleaned_text: w.cleaned_text ?? '',
        llm_model: w.llm_model ?? '',
        cleaning_task: w.cleaning_task,
        processed_at: w.processed_at.toISOString(),
        status: w.status,
        error: w.error ?? '',
      };
      if (JSON.stringify(recs[i]) !== JSON.stringify(want)) expect({ i, rec: recs[i] }).toEqual({ i, rec: want });
    }
    expect(recs[2]!.raw_text).toBe('comma, "quote" and\nnewline #2');
    expect(recs[1]!.raw_text).toBe('한국어 텍스트 😀🎉 #1');
  });

  test('sidecar matches the file; readCsvRecords and DuckDB agree on the row count', async () => {
    const meta = await readSidecar(store, key);
    const { bytes, sha256 } = await hashFile(store.uri(key));
    expect(meta).toMatchObject({ key, kind: 'output', format: 'csv', rows: N, bytes, sha256, inputs: ['processed/p.parquet'] });
    let n = 0;
    for await (const rec of readCsvRecords(store.uri(key))) {
      if (n === 0) expect(Object.keys(rec)[0]).toBe('id'); // BOM stripped from the first header
      n++;
    }
    expect(n).toBe(N);
    const [d] = await duckQuery(`SELECT count(*) AS n, count(*) FILTER (WHERE status = 'failed') AS failed FROM read_csv(${sqlPath(store.uri(key))}, header = true)`);
    expect(d).toEqual({ n: N, failed: Math.floor(N / 13) });
  });

  test('a failing row source leaves nothing under the key and nothing in .tmp', async () => {
    async function* broken(): AsyncIterable<Record<string, unknown>> {
      yield { a: 1 };
      throw new Error('source died');
    }
    await expect(writeCsv(store, 'output/broken.csv', broken(), ['a'], { kind: 'output', inputs: [] })).rejects.toThrow('source died');
    expect(await store.stat('output/broken.csv')).toBeNull();
    expect(await store.stat('output/broken.csv.meta.json')).toBeNull();
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(store.scratchDir())).toEqual([]);
  });
});
