/** Bad input gets clear errors and leaves nothing behind. */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ParquetSchema, ParquetWriter } from 'parquetjs-lite';
import { ValidationError } from '../../../src/errors';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { assertSchemaVersion, readParquet, readParquetInfo, writeParquet } from '../../../src/storage/parquet';
import { readParquetRecords } from '../../../src/storage/readers';
import type { RawRow } from '../../../src/types';
import { rawRow, tempDir } from './fixtures';

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

describe('storage bad input', () => {
  let store: LocalObjectStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const t = await tempDir('bad');
    cleanup = t.cleanup;
    store = new LocalObjectStore(t.dir);
  });
  afterEach(async () => cleanup());

  test('a corrupt Parquet file is a ValidationError naming the file', async () => {
    await store.putBytes('raw/corrupt.parquet', 'PAR1 this is not parquet at all PAR1');
    const file = store.uri('raw/corrupt.parquet');
    await expect(readParquetInfo(store, 'raw/corrupt.parquet')).rejects.toThrow(ValidationError);
    await expect(readParquetInfo(store, 'raw/corrupt.parquet')).rejects.toThrow(`${file}: not a valid Parquet file`);
    await expect(drain(readParquet(store, 'raw/corrupt.parquet'))).rejects.toThrow(`${file}: not a valid Parquet file`);
    await expect(drain(readParquetRecords(file))).rejects.toThrow(`${file}: not a valid Parquet file`);
  });

  test('a truncated Parquet file is a ValidationError naming the file', async () => {
    await writeParquet(store, 'raw/good.parquet', 'raw', [rawRow(0), rawRow(1)], { kind: 'raw', inputs: [] });
    const bytes = await store.getBytes('raw/good.parquet');
    await store.putBytes('raw/cut.parquet', bytes.subarray(0, bytes.length - 20));
    await expect(readParquetInfo(store, 'raw/cut.parquet')).rejects.toThrow(`${store.uri('raw/cut.parquet')}: not a valid Parquet file`);
  });

  test.each(['../x', '/etc/passwd', 'a/../../b'])('path traversal key %j is refused everywhere', async (key) => {
    const parent = store.scratchDir().replace(/\/\.tmp$/, '');
    const inner = new LocalObjectStore(`${parent}/data`);
    await expect(writeParquet(inner, key, 'raw', [rawRow(0)], { kind: 'raw', inputs: [] })).rejects.toThrow(ValidationError);
    await expect(drain(readParquet(inner, key))).rejects.toThrow(ValidationError);
    await expect(inner.putBytes(key, 'x')).rejects.toThrow(/must be relative|must not contain/);
    await expect(inner.getBytes(key)).rejects.toThrow(ValidationError);
    await expect(inner.stat(key)).rejects.toThrow(ValidationError);
    await expect(inner.delete(key)).rejects.toThrow(ValidationError);
    expect(await readdir(parent)).toEqual([]); // nothing escaped next to the root
  });

  test('a row source that throws mid-stream leaves nothing under the key and nothing in .tmp', async () => {
    function* rows(): Iterable<RawRow> {
      for (let i = 0; i < 25_000; i++) {
        if (i === 21_000) throw new Error('collector crashed');
        yield rawRow(i);
      }
    }
    await expect(writeParquet(store, 'raw/crash.parquet', 'raw', rows(), { kind: 'raw', inputs: [] }, { rowGroupSize: 5_000 })).rejects.toThrow('collector crashed');
    expect(await store.stat('raw/crash.parquet')).toBeNull();
    expect(await store.stat('raw/crash.parquet.meta.json')).toBeNull();
    expect(await readdir(store.scratchDir())).toEqual([]);
  });

  test('a bad row is a ValidationError naming the row and column, and leaves nothing', async () => {
    const bad = [rawRow(0), { ...rawRow(1), created_at: 'yesterday' } as unknown as RawRow];
    await expect(writeParquet(store, 'raw/bad.parquet', 'raw', bad, { kind: 'raw', inputs: [] })).rejects.toThrow(/row 1: created_at must be a valid Date/);
    const noId = [{ ...rawRow(0), id: undefined } as unknown as RawRow];
    await expect(writeParquet(store, 'raw/bad.parquet', 'raw', noId, { kind: 'raw', inputs: [] })).rejects.toThrow(/row 0: column "id" is required/);
    expect(await store.stat('raw/bad.parquet')).toBeNull();
    expect(await readdir(store.scratchDir())).toEqual([]);
  });
});

describe('schema version check', () => {
  let store: LocalObjectStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const t = await tempDir('ver');
    cleanup = t.cleanup;
    store = new LocalObjectStore(t.dir);
  });
  afterAll(async () => cleanup());

  async function writeWithMeta(key: string, meta: Record<string, string>): Promise<void> {
    const schema = new ParquetSchema({ id: { type: 'INT64' } });
    await mkdir(path.dirname(store.uri(key)), { recursive: true });
    const w = await ParquetWriter.openFile(schema, store.uri(key), { useDataPageV2: false });
    for (const [k, v] of Object.entries(meta)) w.setMetadata(k, v);
    await w.appendRow({ id: 1 });
    await w.close();
  }

  test('newer, older and missing versions are refused with a clear message', async () => {
    await writeWithMeta('raw/newer.parquet', { 'dataops.kind': 'raw', 'dataops.schema_version': '2' });
    await writeWithMeta('raw/older.parquet', { 'dataops.kind': 'raw', 'dataops.schema_version': '0' });
    await writeWithMeta('raw/none.parquet', { 'dataops.kind': 'raw' });
    await writeWithMeta('raw/foreign.parquet', {});
    await expect(readParquetInfo(store, 'raw/newer.parquet')).rejects.toThrow(/raw schema version 2 is newer than the supported version 1/);
    await expect(drain(readParquet(store, 'raw/older.parquet'))).rejects.toThrow(/raw schema version 0 is older than the supported version 1/);
    await expect(readParquetInfo(store, 'raw/none.parquet')).rejects.toThrow(/schema version is missing/);
    await expect(readParquetInfo(store, 'raw/foreign.parquet')).rejects.toThrow(/not a dataops Parquet file/);
    await expect(readParquetInfo(store, 'raw/newer.parquet')).rejects.toThrow(store.uri('raw/newer.parquet'));
  });

  test('assertSchemaVersion accepts the current versions', () => {
    expect(assertSchemaVersion({ kind: 'raw', schemaVersion: 1 }, 'f')).toBe('raw');
    expect(assertSchemaVersion({ kind: 'part', schemaVersion: 1 }, 'f')).toBe('part');
    expect(() => assertSchemaVersion({ kind: 'processed', schemaVersion: 3 }, 'f.parquet')).toThrow('f.parquet: dataops.schema_version: processed schema version 3 is newer');
  });
});
