import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { buildLineage, traceFile } from '../../../src/catalog';
import { fakeRun, openEnv, put, type Env, type FakeRun } from './fixture';

let env: Env;
let run: FakeRun;

beforeAll(async () => {
  env = await openEnv('lineage');
  run = await fakeRun(env, { runId: 'run-l1', pipeline: 'alpha', source: 'sample', at: new Date('2026-11-20T01:00:00Z') });
  await fakeRun(env, { runId: 'run-l2', pipeline: 'alpha', source: 'sample', at: new Date('2026-11-21T01:00:00Z') });
});
afterAll(async () => env.close());

describe('buildLineage', () => {
  it('returns source → raw → parts → processed → csv/report with job ids', async () => {
    const g = (await buildLineage(env.catalog, 'run-l1'))!;
    expect(g.runId).toBe('run-l1');
    expect(g.nodes.map((n) => [n.kind, n.id])).toEqual([
      ['source', 'source:sample'],
      ['raw', run.raw.key],
      ['part', run.parts[0]!.key],
      ['part', run.parts[1]!.key],
      ['processed', run.processed.key],
      ['output', run.csv.key],
      ['report', run.report.key],
    ]);
    const edges = g.edges.map((e) => `${e.from} -> ${e.to}`).sort();
    expect(edges).toEqual(
      [
        `source:sample -> ${run.raw.key}`,
        `${run.raw.key} -> ${run.parts[0]!.key}`,
        `${run.raw.key} -> ${run.parts[1]!.key}`,
        `${run.raw.key} -> ${run.processed.key}`,
        `${run.parts[0]!.key} -> ${run.processed.key}`,
        `${run.parts[1]!.key} -> ${run.processed.key}`,
        `${run.processed.key} -> ${run.csv.key}`,
        `${run.processed.key} -> ${run.report.key}`,
        `${run.csv.key} -> ${run.report.key}`,
      ].sort(),
    );
    const part1 = g.nodes.find((n) => n.id === run.parts[1]!.key)!;
    expect(part1).toMatchObject({ jobIds: ['run-l1:chunk:1'], rows: 2, sha256: run.parts[1]!.sha256, uri: run.parts[1]!.uri, label: 'part-00001.parquet' });
    expect(g.nodes.find((n) => n.kind === 'raw')!.jobIds).toEqual(['run-l1']);
  });

  it('links files without recorded inputs by stage, and external inputs as sources', async () => {
    const base = { runId: 'run-l3', pipeline: 'beta', source: 'file' };
    const raw = await put(env, 'raw/file_x.parquet', 'r', { ...base, kind: 'raw', inputs: ['inbox/a.csv'] }, { format: 'parquet', rows: 1 });
    const processed = await put(env, 'processed/beta_x.parquet', 'p', { ...base, kind: 'processed', inputs: [] }, { format: 'parquet', rows: 1 });
    const csv = await put(env, 'output/beta_x.csv', 'c', { ...base, kind: 'output', inputs: [] }, { format: 'csv', rows: 1 });
    const g = (await buildLineage(env.catalog, 'run-l3'))!;
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: 'source:file', to: raw.key },
        { from: 'input:inbox/a.csv', to: raw.key },
        { from: raw.key, to: processed.key },
        { from: processed.key, to: csv.key },
      ]),
    );
    expect(g.edges).toHaveLength(4);
  });

  it('is null for an unknown run', async () => {
    expect(await buildLineage(env.catalog, 'run-none')).toBeNull();
  });
});

describe('traceFile', () => {
  it('goes from the CSV sha256 (hashed from the file on disk) back to the run, raw file and source', async () => {
    const sha = createHash('sha256').update(await readFile(run.csv.uri)).digest('hex');
    const t = (await traceFile(env.catalog, sha))!;
    expect(t).toMatchObject({ dataset: run.csv, runId: 'run-l1', pipeline: 'alpha', source: 'sample', raw: run.raw });
    expect(t.lineage!.runId).toBe('run-l1');
    expect(t.lineage!.nodes).toHaveLength(7);
  });

  it('works from a path, and from the report', async () => {
    expect((await traceFile(env.catalog, run.csv.uri))!.raw).toEqual(run.raw);
    expect((await traceFile(env.catalog, run.report.key))!).toMatchObject({ runId: 'run-l1', raw: run.raw });
  });

  it('is null for an unknown file', async () => {
    expect(await traceFile(env.catalog, '0'.repeat(64))).toBeNull();
    expect(await traceFile(env.catalog, 'output/nothing.csv')).toBeNull();
  });
});
