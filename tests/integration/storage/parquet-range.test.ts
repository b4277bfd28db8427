/**
 * Remote Parquet reads fetch each row group with one range request: the spans
 * are computed from the footer, reads go through s3rver with the real SDK and
 * give the same rows as a local read, a DuckDB-written file (dictionary pages)
 * reads correctly, and a chunk read touches only its row groups.
 */
import { mkdir } from 'node:fs/promises';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { readParquet, writeParquet } from '../../../src/storage/parquet';
import { openStoredParquet } from '../../../src/storage/parquet-open';
import { rowGroupSpans, type ColumnChunkLocation } from '../../../src/storage/parquet-range';
import { S3ObjectStore } from '../../../src/storage/s3-store';
import { rawRow, rows, tempDir } from './fixtures';
import { startS3, type TestS3 } from './s3-server';

const col = (name: string, data: number, size: number, dict?: number): ColumnChunkLocation => ({
  meta_data: { path_in_schema: [name], data_page_offset: data, dictionary_page_offset: dict, total_compressed_size: size },
});

describe('rowGroupSpans', () => {
  test('merges contiguous and nearly contiguous column chunks into one span', () => {
    expect(rowGroupSpans([col('b', 110, 50), col('a', 4, 100), col('c', 170, 30)], [], 10_000)).toEqual([{ start: 4, end: 200 }]);
  });
  test('splits at gaps larger than maxGap, keeps only the asked-for columns, starts at dictionary pages', () => {
    const cols = [col('a', 4, 100), col('b', 104, 50), col('c', 5_000, 20, 4_900)];
    expect(rowGroupSpans(cols, [], 10_000, 1_000)).toEqual([{ start: 4, end: 154 }, { start: 4_900, end: 5_020 }]);
    expect(rowGroupSpans(cols, [['a'], ['c']], 10_000, 1_000)).toEqual([{ start: 4, end: 104 }, { start: 4_900, end: 5_020 }]);
    expect(rowGroupSpans(cols, [['a'], ['c']], 10_000, 10_000)).toEqual([{ start: 4, end: 5_020 }]);
  });
  test('never reaches past the end of the file', () => {
    expect(rowGroupSpans([col('a', 4, 100)], [], 60)).toEqual([{ start: 4, end: 60 }]);
  });
});

describe('coalesced range reads on S3 (s3rver)', () => {
  const N = 23_000;
  const GROUP = 5_000;
  const key = 'raw/sample_20261122_020000.parquet';
  let s3: TestS3;
  let s3Store: S3ObjectStore;
  let local: LocalObjectStore;
  const cleanups: Array<() => Promise<void>> = [];
  let ranged = 0;

  beforeAll(async () => {
    s3 = await startS3('pq-range');
    const a = await tempDir('pq-range-s3');
    const b = await tempDir('pq-range-local');
    cleanups.push(a.cleanup, b.cleanup);
    s3Store = new S3ObjectStore({ client: s3.client, bucket: s3.bucket, prefix: 'data', scratchDir: a.dir });
    local = new LocalObjectStore(b.dir);
    for (const store of [s3Store, local]) await writeParquet(store, key, 'raw', rows(N, rawRow), { kind: 'raw', inputs: [] }, { rowGroupSize: GROUP });
    // Count range GETs at the SDK, as sent over HTTP.
    s3.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Range?: string };
        if (input.Range) ranged++;
        return next(args);
      },
      { step: 'initialize', name: 'countRanges' },
    );
  });
  afterAll(async () => {
    await s3.close();
    for (const c of cleanups) await c();
  });

  async function all(it: AsyncIterable<unknown>): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const r of it) out.push(r);
    return out;
  }

  test('a full read makes one range request per row group plus the footer and header, and equals the local read', async () => {
    const groups = Math.ceil(N / GROUP);
    ranged = 0;
    const remote = await all(readParquet(s3Store, key));
    // tail (footer) + header magic + one per row group
    expect(ranged).toBe(2 + groups);
    expect(remote).toHaveLength(N);
    expect(remote).toEqual(await all(readParquet(local, key)));
  });

  test('a chunk read fetches only the row groups it needs', async () => {
    ranged = 0;
    const got = await all(readParquet(s3Store, key, { offset: 9_000, limit: 2_000 }));
    expect(got).toEqual(await all(readParquet(local, key, { offset: 9_000, limit: 2_000 })));
    // rows 9,000–10,999 lie in row groups 1 and 2
    expect(ranged).toBe(2 + 2);
  });

  test('a column subset and a DuckDB file with dictionary pages read correctly through the windows', async () => {
    const opened = await openStoredParquet(s3Store, key);
    try {
      const ids: unknown[] = [];
      const cursor = opened.reader.getCursor(['id', 'metadata']);
      for (let g = await cursor.nextRowGroup(); g; g = await cursor.nextRowGroup()) ids.push(...g.map((r) => r.id));
      expect(ids.map(Number)).toEqual(Array.from({ length: N }, (_, i) => rawRow(i).id));
      expect(opened.rangeRequests?.()).toBe(2 + Math.ceil(N / GROUP));
    } finally {
      await opened.close();
    }

    const foreign = `${local.scratchDir()}/duck-dict.parquet`;
    await mkdir(local.scratchDir(), { recursive: true });
    await duckQuery(
      `COPY (SELECT i::BIGINT AS id, ['red','green','blue'][1 + i % 3] AS colour, 'row ' || i AS label FROM range(30000) t(i)) TO ${sqlPath(foreign)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`,
    );
    await s3Store.putFile('input/duck-dict.parquet', foreign);
    const dictOpened = await openStoredParquet(s3Store, 'input/duck-dict.parquet');
    const recs: Record<string, unknown>[] = [];
    try {
      const footer = dictOpened.reader.metadata.row_groups as unknown as Array<{ columns: ColumnChunkLocation[] }>;
      expect(footer.some((g) => g.columns.some((c) => c.meta_data.dictionary_page_offset))).toBe(true);
      const cursor = dictOpened.reader.getCursor();
      for (let g = await cursor.nextRowGroup(); g; g = await cursor.nextRowGroup()) recs.push(...g);
      expect(dictOpened.rangeRequests?.()).toBe(2 + footer.length);
    } finally {
      await dictOpened.close();
    }
    expect(recs).toHaveLength(30_000);
    // DuckDB may write rows out of order; each row must agree with its own id.
    const bad = recs.filter((r) => r.colour !== ['red', 'green', 'blue'][Number(r.id) % 3] || r.label !== `row ${Number(r.id)}`);
    expect(bad).toEqual([]);
    expect(new Set(recs.map((r) => Number(r.id))).size).toBe(30_000);
  });
});
