import { appendFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { deleteKeys, fakeRun, keysOf, openEnv, put, type Env, type FakeRun } from './fixture';

let env: Env;
let a: FakeRun;
let b: FakeRun;
let c: FakeRun;

beforeAll(async () => {
  env = await openEnv('core');
  a = await fakeRun(env, { runId: 'run-a', pipeline: 'alpha', source: 'sample', at: new Date('2026-11-20T01:00:00Z') });
  b = await fakeRun(env, { runId: 'run-b', pipeline: 'alpha', source: 'sample', at: new Date('2026-11-21T01:00:00Z') });
  c = await fakeRun(env, { runId: 'run-c', pipeline: 'beta', source: 'http', at: new Date('2026-11-22T01:00:00Z') });
});
afterAll(async () => env.close());

const keys = (list: Array<{ key: string }>) => list.map((m) => m.key);

describe('Catalog', () => {
  it('has an entry for every file of a run, equal to its sidecar', async () => {
    const entries = await env.catalog.query({ runId: 'run-a' });
    expect(new Set(keys(entries))).toEqual(new Set(keys(a.all)));
    expect(entries).toHaveLength(6);
    expect(entries.find((e) => e.kind === 'output')).toEqual(a.csv);
  });

  it('queries newest first, filtered by pipeline, kind and date range, with paging', async () => {
    expect(keys(await env.catalog.query({ kind: 'output' }))).toEqual([c.csv.key, b.csv.key, a.csv.key]);
    expect(keys(await env.catalog.query({ pipeline: 'alpha', kind: 'raw' }))).toEqual([b.raw.key, a.raw.key]);
    expect(keys(await env.catalog.query({ pipeline: 'beta', kind: 'part' }))).toEqual([c.parts[1]!.key, c.parts[0]!.key]);
    const day2 = { since: new Date('2026-11-21T00:00:00Z'), until: new Date('2026-11-21T23:59:59Z') };
    expect(new Set(keys(await env.catalog.query(day2)))).toEqual(new Set(keys(b.all)));
    expect(keys(await env.catalog.query({ ...day2, kind: 'processed', pipeline: 'alpha' }))).toEqual([b.processed.key]);
    expect(keys(await env.catalog.query({ kind: 'report', limit: 1, offset: 1 }))).toEqual([b.report.key]);
    expect(keys(await env.catalog.query({ pipeline: 'alpha', kind: 'report', limit: 1, offset: 1 }))).toEqual([a.report.key]);
    expect(await env.catalog.query({ pipeline: 'nope' })).toEqual([]);
    expect(await env.catalog.query({ limit: 1000 })).toHaveLength(18);
  });

  it('finds files by sha256 and by key, absolute path, file:// URL or data-relative path', async () => {
    expect(await env.catalog.findBySha256(a.csv.sha256)).toEqual([a.csv]);
    expect(await env.catalog.findBySha256(a.csv.sha256.toUpperCase())).toEqual([a.csv]);
    await expect(env.catalog.findBySha256('abc')).rejects.toThrow('sha256');
    expect(await env.catalog.findByPath(a.csv.key)).toEqual(a.csv);
    expect(await env.catalog.findByPath(a.csv.uri)).toEqual(a.csv);
    expect(await env.catalog.findByPath(`file://${a.csv.uri}`)).toEqual(a.csv);
    expect(await env.catalog.findByPath(`somewhere/data/${a.csv.key}`)).toEqual(a.csv);
    expect(await env.catalog.findByPath(`${a.csv.uri}.meta.json`)).toEqual(a.csv);
    expect(await env.catalog.findByPath('output/missing.csv')).toBeNull();
  });

  it('re-recording a file replaces its old index entries', async () => {
    const k = 'output/rerecord.csv';
    const first = await put(env, k, 'one', { kind: 'output', inputs: [], pipeline: 'gamma', runId: 'run-x' }, { format: 'csv', rows: 1 });
    const second = await put(env, k, 'two', { kind: 'output', inputs: [], pipeline: 'delta', runId: 'run-x' }, { format: 'csv', rows: 1 });
    expect(await env.catalog.findBySha256(first.sha256)).toEqual([]);
    expect(await env.catalog.findBySha256(second.sha256)).toEqual([second]);
    expect(await env.catalog.query({ pipeline: 'gamma' })).toEqual([]);
    expect(keys(await env.catalog.query({ pipeline: 'delta' }))).toEqual([k]);
  });

  it('refuses an invalid entry naming the field', async () => {
    await expect(env.catalog.record({ ...a.csv, sha256: 'xyz' })).rejects.toThrow(/sha256/);
    await expect(env.catalog.record({ ...a.csv, kind: 'table' as never })).rejects.toThrow(/kind/);
  });

  it('verify matches the files on disk and detects a modified file', async () => {
    for (const m of a.all) expect(await env.catalog.verify(m.key)).toEqual({ ok: true, expected: m.sha256, actual: m.sha256 });
    await appendFile(b.csv.uri, 'tampered\n');
    const v = await env.catalog.verify(b.csv.uri);
    expect(v.ok).toBe(false);
    expect(v.expected).toBe(b.csv.sha256);
    expect(v.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(v.actual).not.toBe(v.expected);
    await expect(env.catalog.verify('output/never.csv')).rejects.toThrow('no catalog entry');
  });

  it('rebuilds the index from the sidecars after all its Redis keys are deleted', async () => {
    const before = await env.catalog.query({ limit: 1000 });
    await deleteKeys(env.redis, env.prefix);
    expect(await keysOf(env.redis, env.prefix)).toEqual([]);
    expect(await env.catalog.query({})).toEqual([]);
    // A sidecar whose data file is gone must be reported, not indexed.
    await unlink(path.join(env.dir, 'output/rerecord.csv'));
    const res = await env.catalog.rebuild();
    expect(res.errors).toEqual([{ key: 'output/rerecord.csv.meta.json', error: expect.stringContaining('missing') }]);
    expect(res.indexed).toBe(18);
    const after = await env.catalog.query({ limit: 1000 });
    expect(after).toEqual(before.filter((m) => m.key !== 'output/rerecord.csv'));
    expect(await env.catalog.findBySha256(c.csv.sha256)).toEqual([c.csv]);
    expect(await env.catalog.verify(c.processed.key)).toMatchObject({ ok: true });
  });

  it('rebuild only touches its own keys', async () => {
    const other = `${env.prefix}-other`;
    await env.redis.set(`${env.prefix}:not-catalog`, '1');
    await env.redis.set(`${other}:z:all`, '1');
    await env.catalog.rebuild();
    expect(await env.redis.get(`${env.prefix}:not-catalog`)).toBe('1');
    expect(await env.redis.get(`${other}:z:all`)).toBe('1');
    await env.redis.del(`${env.prefix}:not-catalog`, `${other}:z:all`);
  });
});
