/**
 * One conformance suite every ObjectStore backend, and the storage writers on
 * top of it, must pass. Add a backend by adding one entry to BACKENDS.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../../src/errors';
import { LocalObjectStore } from '../../../src/storage/local-store';
import type { ObjectStore } from '../../../src/storage/object-store';
import { S3ObjectStore } from '../../../src/storage/s3-store';
import { readParquetInfo, readRawRows, writeParquet } from '../../../src/storage/parquet';
import { writeCsv } from '../../../src/storage/csv';
import { putJson, readSidecar } from '../../../src/storage/sidecar';
import type { RawRow } from '../../../src/types';
import { rawRow, rows, tempDir } from './fixtures';
import { startS3, type TestS3 } from './s3-server';

interface Backend {
  name: string;
  /** A fresh, empty store for one test. */
  make(): Promise<{ store: ObjectStore; cleanup: () => Promise<void> }>;
  /** Stop shared resources (servers) after the backend's tests. */
  stop?(): Promise<void>;
}

let s3: Promise<TestS3> | undefined;
let prefixes = 0;

const BACKENDS: Backend[] = [
  {
    name: 'local',
    async make() {
      const t = await tempDir('conf');
      return { store: new LocalObjectStore(t.dir), cleanup: t.cleanup };
    },
  },
  {
    name: 's3 (s3rver)',
    async make() {
      const srv = await (s3 ??= startS3());
      const scratch = await tempDir('conf-s3');
      // A fresh prefix per test keeps tests independent on one bucket.
      const store = new S3ObjectStore({ client: srv.client, bucket: srv.bucket, prefix: `t${process.pid}-${++prefixes}/data`, scratchDir: scratch.dir });
      return { store, cleanup: scratch.cleanup };
    },
    async stop() {
      if (s3) await (await s3).close();
    },
  },
];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function streamText(s: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe.each(BACKENDS)('ObjectStore conformance: $name', ({ make, stop }) => {
  let store: ObjectStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await make()));
  afterEach(async () => cleanup());
  afterAll(async () => stop?.());

  test('putBytes/getBytes round trip with byte count and sha256', async () => {
    const res = await store.putBytes('reports/r1.json', '{"a":"한국어 😀"}');
    expect(res).toEqual({ bytes: Buffer.byteLength('{"a":"한국어 😀"}'), sha256: sha('{"a":"한국어 😀"}') });
    expect((await store.getBytes('reports/r1.json')).toString('utf8')).toBe('{"a":"한국어 😀"}');
    expect((await store.stat('reports/r1.json'))?.size).toBe(res.bytes);
  });

  test('openWrite publishes nothing until commit, and hashes while streaming', async () => {
    const w = await store.openWrite('raw/a.bin');
    w.stream.write('hello ');
    expect(await store.stat('raw/a.bin')).toBeNull();
    w.stream.write('world');
    const res = await w.commit();
    expect(res).toEqual({ bytes: 11, sha256: sha('hello world') });
    expect((await store.getBytes('raw/a.bin')).toString()).toBe('hello world');
  });

  test('abort leaves nothing behind', async () => {
    const w = await store.openWrite('raw/b.bin');
    w.stream.write('partial');
    await w.abort();
    expect(await store.stat('raw/b.bin')).toBeNull();
    expect((await collect(store.list(''))).map((o) => o.key)).toEqual([]);
  });

  test('putFile moves a finished local file into place', async () => {
    const t = await tempDir('putfile');
    try {
      const { writeFile } = await import('node:fs/promises');
      const p = `${t.dir}/x.txt`;
      await writeFile(p, 'file body');
      const res = await store.putFile('processed/x.txt', p);
      expect(res.sha256).toBe(sha('file body'));
      expect((await store.getBytes('processed/x.txt')).toString()).toBe('file body');
    } finally {
      await t.cleanup();
    }
  });

  test('range reads and localCopy', async () => {
    await store.putBytes('raw/r.txt', '0123456789');
    expect(await streamText(await store.createReadStream('raw/r.txt', { start: 2, end: 5 }))).toBe('2345');
    expect(await streamText(await store.createReadStream('raw/r.txt', { start: 7 }))).toBe('789');
    const h = await store.localCopy('raw/r.txt');
    expect(await readFile(h.path, 'utf8')).toBe('0123456789');
    await h.release();
  });

  test('missing keys: NotFoundError naming the key, stat null, delete quiet', async () => {
    await expect(store.getBytes('raw/nope.parquet')).rejects.toThrow(NotFoundError);
    await expect(store.getBytes('raw/nope.parquet')).rejects.toThrow(/raw\/nope\.parquet/);
    await expect(store.createReadStream('raw/nope.parquet')).rejects.toThrow(NotFoundError);
    await expect(store.localCopy('raw/nope.parquet')).rejects.toThrow(NotFoundError);
    expect(await store.stat('raw/nope.parquet')).toBeNull();
    await expect(store.delete('raw/nope.parquet')).resolves.toBeUndefined();
  });

  test('list is recursive and honours the prefix', async () => {
    await store.putBytes('runs/r1/parts/part-00000.parquet', 'a');
    await store.putBytes('runs/r1/parts/part-00001.parquet', 'bb');
    await store.putBytes('runs/r10/parts/part-00000.parquet', 'c');
    await store.putBytes('raw/x.parquet', 'd');
    const keys = async (p: string) => (await collect(store.list(p))).map((o) => o.key).sort();
    expect(await keys('runs/r1/')).toEqual(['runs/r1/parts/part-00000.parquet', 'runs/r1/parts/part-00001.parquet']);
    expect(await keys('runs/r1')).toEqual([
      'runs/r1/parts/part-00000.parquet',
      'runs/r1/parts/part-00001.parquet',
      'runs/r10/parts/part-00000.parquet',
    ]);
    expect(await keys('')).toHaveLength(4);
    const sizes = Object.fromEntries((await collect(store.list('runs/r1/'))).map((o) => [o.key, o.size]));
    expect(sizes['runs/r1/parts/part-00001.parquet']).toBe(2);
    await store.delete('raw/x.parquet');
    expect(await keys('raw/')).toEqual([]);
  });

  test('large streamed writes (multipart on S3) arrive whole', async () => {
    const w = await store.openWrite('processed/big.bin');
    const block = Buffer.alloc(1 << 20, 7);
    const h = createHash('sha256');
    for (let i = 0; i < 17; i++) {
      block[0] = i;
      h.update(block);
      if (!w.stream.write(Buffer.from(block))) await new Promise((r) => w.stream.once('drain', r));
    }
    expect(await store.stat('processed/big.bin')).toBeNull();
    const res = await w.commit();
    expect(res).toEqual({ bytes: 17 << 20, sha256: h.digest('hex') });
    expect((await store.stat('processed/big.bin'))?.size).toBe(17 << 20);
    expect(sha(await store.getBytes('processed/big.bin'))).toBe(res.sha256);
  });

  test('storage writers: Parquet, CSV and JSON round trip with sidecars; failed writes leave nothing', async () => {
    const side = { kind: 'raw' as const, runId: 'r1', inputs: [] };
    const meta = await writeParquet(store, 'raw/s.parquet', 'raw', rows(1_234, rawRow), side, { rowGroupSize: 500 });
    expect(meta).toMatchObject({ rows: 1_234, uri: store.uri('raw/s.parquet'), bytes: (await store.stat('raw/s.parquet'))!.size });
    expect(meta.sha256).toBe(sha(await store.getBytes('raw/s.parquet')));
    expect(await readSidecar(store, 'raw/s.parquet')).toEqual(meta);
    expect(await readParquetInfo(store, 'raw/s.parquet')).toMatchObject({ rows: 1_234, rowGroups: [500, 500, 234] });
    expect(await collect(readRawRows(store, 'raw/s.parquet', { offset: 499, limit: 3 }))).toEqual([rawRow(499), rawRow(500), rawRow(501)]);
    const csv = await writeCsv(store, 'output/s.csv', rows(10, rawRow) as Iterable<unknown> as Iterable<Record<string, unknown>>, ['id', 'raw_text'], { kind: 'output', inputs: ['raw/s.parquet'] });
    expect(csv.rows).toBe(10);
    expect((await store.getBytes('output/s.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    await putJson(store, 'reports/r1.json', { ok: 1 }, { kind: 'report', inputs: [] });
    expect((await readSidecar(store, 'reports/r1.json'))?.format).toBe('json');
    function* crash(): Iterable<RawRow> {
      yield rawRow(0);
      throw new Error('mid-stream');
    }
    await expect(writeParquet(store, 'raw/crash.parquet', 'raw', crash(), side)).rejects.toThrow('mid-stream');
    await expect(writeCsv(store, 'output/crash.csv', crash() as Iterable<unknown> as Iterable<Record<string, unknown>>, ['id'], { kind: 'output', inputs: [] })).rejects.toThrow('mid-stream');
    const keys = (await collect(store.list(''))).map((o) => o.key).sort();
    expect(keys).toEqual(['output/s.csv', 'output/s.csv.meta.json', 'raw/s.parquet', 'raw/s.parquet.meta.json', 'reports/r1.json', 'reports/r1.json.meta.json']);
    expect(await readdir(store.scratchDir()).catch(() => [])).toEqual([]);
  });

  test('corrupt Parquet is a ValidationError naming the file', async () => {
    await store.putBytes('raw/short.parquet', 'PAR1');
    await store.putBytes('raw/junk.parquet', `PAR1${'x'.repeat(100)}PAR1`);
    for (const k of ['raw/short.parquet', 'raw/junk.parquet']) {
      await expect(readParquetInfo(store, k)).rejects.toThrow(`${store.uri(k)}: not a valid Parquet file`);
      await expect(collect(readRawRows(store, k))).rejects.toThrow(ValidationError);
    }
    await expect(readParquetInfo(store, 'raw/missing.parquet')).rejects.toThrow(NotFoundError);
  });

  test.each(['../x', '/etc/passwd', 'a/../../b', 'a\\b', ''])('refuses unsafe key %j', async (key) => {
    await expect(store.putBytes(key, 'x')).rejects.toThrow(ValidationError);
    await expect(store.getBytes(key)).rejects.toThrow(ValidationError);
    await expect(store.openWrite(key)).rejects.toThrow(ValidationError);
  });
});
