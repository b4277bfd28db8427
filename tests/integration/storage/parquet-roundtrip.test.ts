/**
 * Parquet written by the storage layer reads back identically, through our own
 * reader and through DuckDB (an independent implementation).
 */
import { duckQuery, sqlPath } from '../../support/duckdb';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { readParquet, readParquetInfo, readProcessedRows, readRawRows, writeParquet } from '../../../src/storage/parquet';
import { readSidecar } from '../../../src/storage/sidecar';
import { readParquetRecords } from '../../../src/storage/readers';
import { hashFile } from '../../../src/storage/fs-util';
import type { RawRow } from '../../../src/types';
import { processedRow, rawRow, rows, tempDir } from './fixtures';

const N = 100_000;

describe('Parquet round trip', () => {
  let store: LocalObjectStore;
  let cleanup: () => Promise<void>;
  const key = 'raw/sample_20261122_020000.parquet';
  beforeAll(async () => {
    const t = await tempDir('pq');
    cleanup = t.cleanup;
    store = new LocalObjectStore(t.dir);
    await writeParquet(store, key, 'raw', rows(N, rawRow), { kind: 'raw', runId: 'run-1', source: 'sample', inputs: [] }, { rowGroupSize: 8_000 });
  });
  afterAll(async () => cleanup());

  test(`${N} rows read back identically with readParquet`, async () => {
    let i = 0;
    for await (const row of readRawRows(store, key)) {
      const want = rawRow(i);
      if (row.id !== want.id || row.raw_text !== want.raw_text || row.metadata !== want.metadata || row.source !== want.source || row.created_at.getTime() !== want.created_at.getTime()) {
        expect({ i, row }).toEqual({ i, row: want });
      }
      i++;
    }
    expect(i).toBe(N);
    // Spot-check exact objects (types, not just values).
    const first: RawRow[] = [];
    for await (const r of readRawRows(store, key, { limit: 3 })) first.push(r);
    expect(first).toEqual([rawRow(0), rawRow(1), rawRow(2)]);
    expect(typeof first[1]!.id).toBe('number');
    expect(first[1]!.id).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('sidecar and footer info agree with the file', async () => {
    const meta = await readSidecar(store, key);
    expect(meta).toMatchObject({ key, kind: 'raw', format: 'parquet', rows: N, schemaVersion: 1, runId: 'run-1', source: 'sample', inputs: [] });
    const { bytes, sha256 } = await hashFile(store.uri(key));
    expect(meta).toMatchObject({ bytes, sha256, uri: store.uri(key) });
    const info = await readParquetInfo(store, key);
    expect(info).toMatchObject({ rows: N, kind: 'raw', schemaVersion: 1 });
    expect(info.rowGroups).toHaveLength(Math.ceil(N / 8_000));
    expect(info.rowGroups.reduce((a, b) => a + b, 0)).toBe(N);
  });

  test('DuckDB reads the same rows with the right types and SNAPPY', async () => {
    const f = sqlPath(store.uri(key));
    const [agg] = await duckQuery(
      `SELECT count(*) AS n, typeof(any_value(id)) AS id_type, typeof(any_value(created_at)) AS ts_type, max(id) AS max_id, sum(id) AS sum_id FROM read_parquet(${f})`,
    );
    expect(agg).toMatchObject({ n: N, id_type: 'BIGINT', ts_type: 'TIMESTAMP', max_id: Number.MAX_SAFE_INTEGER });
    // ids are 1..N except row 1, which holds MAX_SAFE_INTEGER instead of 2.
    expect(BigInt(String(agg!.sum_id))).toBe(BigInt(N * (N + 1) / 2 - 2) + BigInt(Number.MAX_SAFE_INTEGER));
    const codecs = await duckQuery(`SELECT DISTINCT compression FROM parquet_metadata(${f})`);
    expect(codecs.map((r) => r.compression)).toEqual(['SNAPPY']);
    const schema = await duckQuery(`SELECT name, type, converted_type FROM parquet_schema(${f}) WHERE name <> 'root' ORDER BY name`);
    expect(schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', type: 'INT64' }),
        expect.objectContaining({ name: 'created_at', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }),
        expect.objectContaining({ name: 'raw_text', type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
      ]),
    );
    const picks = [1, 4999, 65, 77777, 99_999]; // row indexes; 65 has a null raw_text, 6 a null metadata
    const sample = await duckQuery(
      `SELECT id, raw_text, metadata, epoch_ms(created_at) AS ms FROM read_parquet(${f}) WHERE id IN (${picks.map((i) => rawRow(i).id).join(',')}) ORDER BY id`,
    );
    const want = picks.map(rawRow).sort((a, b) => a.id - b.id).map((w) => ({ id: w.id, raw_text: w.raw_text, metadata: w.metadata, ms: w.created_at.getTime() }));
    expect(sample).toEqual(want);
    const [korean] = await duckQuery(`SELECT count(*) AS n FROM read_parquet(${f}) WHERE raw_text LIKE '한국어 텍스트 😀🎉%'`);
    let wantKorean = 0;
    for (let i = 0; i < N; i++) if (rawRow(i).raw_text?.startsWith('한국어 텍스트 😀🎉')) wantKorean++;
    expect(korean!.n).toBe(wantKorean);
    const [kv] = await duckQuery(`SELECT decode(value) AS v FROM parquet_kv_metadata(${f}) WHERE decode(key) = 'dataops.schema_version'`);
    expect(kv!.v).toBe('1');
  });

  test('offset/limit reads across row-group boundaries', async () => {
    const cases: Array<[number, number]> = [
      [0, 5],
      [7_998, 4], // crosses 8000
      [8_000, 1], // first row of group 2
      [15_999, 16_002], // spans three groups
      [99_990, 50], // runs past the end
      [N, 10], // empty
      [123, 0],
    ];
    for (const [offset, limit] of cases) {
      const got: number[] = [];
      for await (const r of readParquet(store, key, { offset, limit })) got.push(r.id);
      const want: number[] = [];
      for (let i = offset; i < Math.min(N, offset + limit); i++) want.push(rawRow(i).id);
      expect({ offset, limit, got: got.length, first: got[0], last: got.at(-1) }).toEqual({ offset, limit, got: want.length, first: want[0], last: want.at(-1) });
      expect(got).toEqual(want);
    }
  });

  test('processed/part files keep every column, nulls and failed rows', async () => {
    const pkey = 'runs/run-1/parts/part-00003.parquet';
    const meta = await writeParquet(store, pkey, 'part', rows(2_500, processedRow), { kind: 'part', runId: 'run-1', inputs: [key] }, { rowGroupSize: 1_000 });
    expect(meta.rows).toBe(2_500);
    const back = [];
    for await (const r of readProcessedRows(store, pkey, { offset: 990, limit: 30 })) back.push(r);
    expect(back).toEqual([...rows(1020, processedRow)].slice(990));
    const [dk] = await duckQuery(`SELECT count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE error IS NULL) AS ok, typeof(any_value(processed_at)) AS t FROM read_parquet(${sqlPath(store.uri(pkey))})`);
    expect(dk).toEqual({ failed: Math.floor(2_500 / 13), ok: 2_500 - Math.floor(2_500 / 13), t: 'TIMESTAMP' });
    await expect(readRawRows(store, pkey)[Symbol.asyncIterator]().next()).rejects.toThrow(/is a part file; expected raw/);
  });

  test('an empty file is valid', async () => {
    const ekey = 'raw/empty_20261122_020000.parquet';
    const meta = await writeParquet(store, ekey, 'raw', [], { kind: 'raw', inputs: [] });
    expect(meta.rows).toBe(0);
    expect(await readParquetInfo(store, ekey)).toMatchObject({ rows: 0, rowGroups: [] });
    const [n] = await duckQuery(`SELECT count(*) AS n FROM read_parquet(${sqlPath(store.uri(ekey))})`);
    expect(n!.n).toBe(0);
  });

  test('generic readParquetRecords reads our file and a DuckDB-written file', async () => {
    let count = 0;
    let nullCleaned = 0;
    for await (const rec of readParquetRecords(store.uri('runs/run-1/parts/part-00003.parquet'))) {
      if (count === 0) expect(rec).toMatchObject({ id: 1, cleaning_task: 'normalize_text', llm_model: null, error: null });
      if (rec.cleaned_text === null) nullCleaned++;
      count++;
    }
    expect(count).toBe(2_500);
    expect(nullCleaned).toBe(Math.floor(2_500 / 13));
    const foreign = `${store.scratchDir()}/duck.parquet`;
    await duckQuery(
      `COPY (SELECT i::BIGINT AS big, (i * 1.5)::DOUBLE AS d, 'x' || i AS s, TIMESTAMP '2026-01-02 03:04:05.678' AS ts, 9007199254740993::BIGINT AS huge FROM range(3) t(i)) TO ${sqlPath(foreign)} (FORMAT parquet, COMPRESSION snappy)`,
    );
    const recs: Record<string, unknown>[] = [];
    for await (const r of readParquetRecords(foreign)) recs.push(r);
    expect(recs).toHaveLength(3);
    expect(recs[2]).toMatchObject({ big: 2, d: 3, s: 'x2', huge: '9007199254740993' });
    expect(recs[0]!.ts).toEqual(new Date('2026-01-02T03:04:05.678Z'));
  });
});
