/** Local-only behaviour: symlink escapes, the .tmp scratch folder, real paths. */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../../src/errors';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { tempDir } from './fixtures';

describe('LocalObjectStore', () => {
  let dir: string;
  let outside: string;
  let cleanups: Array<() => Promise<void>>;
  let store: LocalObjectStore;
  beforeEach(async () => {
    const a = await tempDir('local');
    const b = await tempDir('outside');
    dir = a.dir;
    outside = b.dir;
    cleanups = [a.cleanup, b.cleanup];
    store = new LocalObjectStore(dir);
  });
  afterEach(async () => Promise.all(cleanups.map((c) => c())));

  test('refuses to read through a symlink that leaves the root', async () => {
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await mkdir(path.join(dir, 'raw'), { recursive: true });
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'raw', 'link.txt'));
    await symlink(outside, path.join(dir, 'escape'));
    await expect(store.getBytes('raw/link.txt')).rejects.toThrow(ValidationError);
    await expect(store.getBytes('raw/link.txt')).rejects.toThrow(/outside the data root/);
    await expect(store.createReadStream('escape/secret.txt')).rejects.toThrow(ValidationError);
    await expect(store.localCopy('escape/secret.txt')).rejects.toThrow(ValidationError);
  });

  test('uri and localCopy give the real absolute path; temp files live in <root>/.tmp', async () => {
    expect(store.uri('raw/a.parquet')).toBe(path.join(dir, 'raw', 'a.parquet'));
    expect(store.scratchDir()).toBe(path.join(dir, '.tmp'));
    const w = await store.openWrite('raw/a.parquet');
    await new Promise((resolve) => w.stream.write('x', resolve));
    expect(await readdir(path.join(dir, '.tmp'))).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['.tmp']);
    await w.commit();
    expect(await readdir(path.join(dir, '.tmp'))).toEqual([]);
    expect((await store.localCopy('raw/a.parquet')).path).toBe(path.join(dir, 'raw', 'a.parquet'));
  });

  test('list never shows the scratch folder', async () => {
    const w = await store.openWrite('raw/pending.bin');
    await new Promise((resolve) => w.stream.write('x', resolve));
    expect(await readdir(path.join(dir, '.tmp'))).toHaveLength(1);
    const keys: string[] = [];
    for await (const o of store.list('')) keys.push(o.key);
    expect(keys).toEqual([]);
    await w.abort();
  });
});
