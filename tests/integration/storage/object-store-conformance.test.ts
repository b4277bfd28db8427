/**
 * One conformance suite every ObjectStore backend must pass. Add a backend by
 * adding one entry to BACKENDS.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../../src/errors';
import { LocalObjectStore } from '../../../src/storage/local-store';
import type { ObjectStore } from '../../../src/storage/object-store';
import { tempDir } from './fixtures';

interface Backend {
  name: string;
  make(): Promise<{ store: ObjectStore; cleanup: () => Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'local',
    async make() {
      const t = await tempDir('conf');
      return { store: new LocalObjectStore(t.dir), cleanup: t.cleanup };
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

describe.each(BACKENDS)('ObjectStore conformance: $name', ({ make }) => {
  let store: ObjectStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await make()));
  afterEach(async () => cleanup());

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

  test.each(['../x', '/etc/passwd', 'a/../../b', 'a\\b', ''])('refuses unsafe key %j', async (key) => {
    await expect(store.putBytes(key, 'x')).rejects.toThrow(ValidationError);
    await expect(store.getBytes(key)).rejects.toThrow(ValidationError);
    await expect(store.openWrite(key)).rejects.toThrow(ValidationError);
  });
});
