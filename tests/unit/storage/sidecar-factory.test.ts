import { ValidationError } from '../../../src/errors';
import { createStore } from '../../../src/storage/factory';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { putJson, readSidecar, sidecarKey } from '../../../src/storage/sidecar';
import { hashFile } from '../../../src/storage/fs-util';
import { tempDir } from '../../integration/storage/fixtures';

const s3 = { region: 'us-east-1', forcePathStyle: false };

describe('createStore', () => {
  test('local by default, file: URLs, s3:// URLs, anything else refused', () => {
    const a = createStore({ dataDir: '/tmp/x-data', s3 });
    expect(a).toBeInstanceOf(LocalObjectStore);
    expect(a.uri('raw/a.parquet')).toBe('/tmp/x-data/raw/a.parquet');
    expect(createStore({ dataDir: '/x', storageUrl: 'file:///srv/data', s3 }).uri('k')).toBe('/srv/data/k');
    const b = createStore({ dataDir: '/x', storageUrl: 's3://bucket/some/prefix/', s3: { ...s3, endpoint: 'http://127.0.0.1:9', forcePathStyle: true } });
    expect(b.kind).toBe('s3');
    expect(b.uri('raw/a.parquet')).toBe('s3://bucket/some/prefix/raw/a.parquet');
    expect(b.scratchDir()).toBe('/x/.tmp');
    expect(createStore({ dataDir: '/x', storageUrl: 's3://bucket', s3 }).uri('k')).toBe('s3://bucket/k');
    expect(() => createStore({ dataDir: '/x', storageUrl: 'ftp://h/p', s3 })).toThrow(/unsupported storage URL/);
  });
});

describe('sidecars', () => {
  let cleanup: () => Promise<void>;
  let store: LocalObjectStore;
  beforeEach(async () => {
    const t = await tempDir('sidecar');
    cleanup = t.cleanup;
    store = new LocalObjectStore(t.dir);
  });
  afterEach(async () => cleanup());

  test('putJson writes the document and a matching sidecar', async () => {
    const meta = await putJson(store, 'reports/run-1.json', { ok: true, 이름: '😀' }, { kind: 'report', runId: 'run-1', pipeline: 'p', inputs: ['processed/p.parquet'], jobIds: ['1'] });
    expect(sidecarKey('reports/run-1.json')).toBe('reports/run-1.json.meta.json');
    expect(JSON.parse((await store.getBytes('reports/run-1.json')).toString())).toEqual({ ok: true, 이름: '😀' });
    const back = await readSidecar(store, 'reports/run-1.json');
    expect(back).toEqual(meta);
    expect(back).toMatchObject({ kind: 'report', format: 'json', rows: 1, schemaVersion: 1, runId: 'run-1', jobIds: ['1'], ...(await hashFile(store.uri('reports/run-1.json'))) });
    expect(Number.isNaN(Date.parse(back!.createdAt))).toBe(false);
  });

  test('missing sidecar is null; broken sidecar is a ValidationError naming it', async () => {
    expect(await readSidecar(store, 'raw/none.parquet')).toBeNull();
    await store.putBytes('raw/x.parquet.meta.json', '{nope');
    await expect(readSidecar(store, 'raw/x.parquet')).rejects.toThrow(ValidationError);
    await expect(readSidecar(store, 'raw/x.parquet')).rejects.toThrow(store.uri('raw/x.parquet.meta.json'));
  });
});
