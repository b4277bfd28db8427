/** The `file` collector on real files: formats, globs, streaming JSON, column mapping, and paths that escape the inbox. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileCollector } from '../../../src/collectors/file';
import { parseCollectorOptions } from '../../../src/collectors/registry';
import { ValidationError } from '../../../src/errors';
import { silentLogger } from '../../../src/logger';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { writeParquet } from '../../../src/storage/parquet';
import type { RawRow } from '../../../src/types';
import { collectAll } from '../../support/collector-conformance';

let dataDir: string;
let inbox: string;
let outside: string;
beforeAll(async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'collector-file-'));
  dataDir = path.join(root, 'data');
  inbox = path.join(dataDir, 'inbox');
  outside = path.join(root, 'outside');
  await fs.mkdir(inbox, { recursive: true });
  await fs.mkdir(outside);
});
afterAll(async () => {
  await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
});
const ctx = () => ({ logger: silentLogger(), env: {}, dataDir });
const put = async (rel: string, body: string | Buffer) => {
  await fs.mkdir(path.dirname(path.join(inbox, rel)), { recursive: true });
  await fs.writeFile(path.join(inbox, rel), body);
};
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as Error);

const MESSY = ['Hello, world', 'She said "hi"\nthen left', '한국어, "따옴표"', ' padded ', '', 'emoji 👍'];

it('reads CSV with a BOM, quoted commas, quotes and newlines, an id column and metadata from the other columns', async () => {
  const lines = MESSY.map((t, i) => `${10 + i},"${t.replace(/"/g, '""')}",${i % 5},2024-03-0${i + 1}T00:00:00Z`);
  await put('reviews.csv', `\uFEFFno,body,stars,at\r\n${lines.join('\r\n')}\r\n`);
  const rows = await collectAll('file', { path: 'reviews.csv', text_column: 'body', id_column: 'no', created_at_column: 'at' }, ctx());
  expect(rows.map((r) => r.raw_text)).toEqual(MESSY);
  expect(rows[1]).toEqual({ id: 11, raw_text: MESSY[1], created_at: new Date('2024-03-02T00:00:00Z'), metadata: { stars: '1' } });
});

it('reads TSV by extension and a chosen delimiter', async () => {
  await put('tabs.tsv', 'text\tlang\na, b\ten\n');
  await put('semi.txt', 'text;lang\nc, d;ko\n');
  expect(await collectAll('file', { path: 'tabs.tsv' }, ctx())).toEqual([{ id: 1, raw_text: 'a, b', metadata: { lang: 'en' } }]);
  const semi = await collectAll('file', { path: 'semi.txt', format: 'csv', delimiter: ';' }, ctx());
  expect(semi[0]!.raw_text).toBe('c, d');
});

it('streams a large JSON array whose elements straddle read chunks', async () => {
  const items = Array.from({ length: 6000 }, (_, i) => ({ id: i + 1, text: `item ${i} [x] {y} "q" \\ ${'한'.repeat(i % 40)}`, nested: { a: [i, { b: '],' }] } }));
  await put('big.json', `  [\n${items.map((x) => JSON.stringify(x, null, i(x.id))).join(' ,\n')}\n]\n`);
  const rows = await collectAll('file', { path: 'big.json', id_column: 'id' }, ctx());
  expect((await fs.stat(path.join(inbox, 'big.json'))).size).toBeGreaterThan(600 * 1024);
  expect(rows).toHaveLength(6000);
  expect(rows[5999]).toEqual({ id: 6000, raw_text: items[5999]!.text, metadata: { nested: items[5999]!.nested } });
  expect(rows.every((r, k) => r.raw_text === items[k]!.text)).toBe(true);
  function i(n: number) {
    return n % 3 === 0 ? 2 : undefined;
  }
});

it('refuses JSON that is not an array, is truncated, or has a stray comma, naming the file', async () => {
  await put('obj.json', '{"text": "x"}');
  await put('cut.json', '[{"text": "a"}, {"text": "b"');
  await put('comma.json', '[{"text": "a"},, {"text": "b"}]');
  await put('bad.json', '[{"text": "a"}, {text: b}]');
  expect((await errorOf(collectAll('file', { path: 'obj.json' }, ctx()))).message).toBe('inbox/obj.json: expected a JSON array (the file must start with "[")');
  expect((await errorOf(collectAll('file', { path: 'cut.json' }, ctx()))).message).toMatch(/^inbox\/cut\.json: the JSON array is not closed/);
  expect((await errorOf(collectAll('file', { path: 'comma.json' }, ctx()))).message).toMatch(/^inbox\/comma\.json: empty element/);
  expect((await errorOf(collectAll('file', { path: 'bad.json' }, ctx()))).message).toMatch(/^inbox\/bad\.json: element 1 is not valid JSON/);
});

it('reads JSONL, skipping blank lines, and names the line of bad JSON', async () => {
  await put('a.jsonl', '{"text":"one","tags":["x"]}\n\n{"text":null}\r\n{"text":2}\n');
  expect(await collectAll('file', { path: 'a.jsonl' }, ctx())).toEqual([
    { id: 1, raw_text: 'one', metadata: { tags: ['x'] } },
    { id: 2, raw_text: null, metadata: null },
    { id: 3, raw_text: '2', metadata: null },
  ]);
  await put('b.jsonl', '{"text":"ok"}\n{"text": oops}\n');
  const err = await errorOf(collectAll('file', { path: 'b.jsonl' }, ctx()));
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.message).toMatch(/^inbox\/b\.jsonl: line 2 is not valid JSON/);
  await put('d.jsonl', '{"body":"a"}\n{"body":"b","n":1}\n');
  expect((await errorOf(collectAll('file', { path: 'd.jsonl' }, ctx()))).message).toBe('options.text_column: column "text" not found in inbox/d.jsonl; columns: body, n');
  await put('c.jsonl', '{"text":"ok"}\n[1,2]\n');
  expect((await errorOf(collectAll('file', { path: 'c.jsonl' }, ctx()))).message).toBe('inbox/c.jsonl: record 2 is not an object');
});

it('reads Parquet written by the storage module, with int64 ids and timestamps', async () => {
  const store = new LocalObjectStore(dataDir);
  const rows: RawRow[] = Array.from({ length: 1200 }, (_, k) => ({
    id: 2 ** 40 + k, source: 'test', raw_text: k % 100 === 0 ? null : `텍스트 ${k}, "quoted"`, created_at: new Date(Date.UTC(2024, 1, 1) + k * 1000), metadata: JSON.stringify({ k }),
  }));
  await writeParquet(store, 'inbox/pq/raw.parquet', 'raw', rows, { kind: 'raw', inputs: [] });
  const got = await collectAll('file', { path: 'pq/*.parquet', text_column: 'raw_text', id_column: 'id', created_at_column: 'created_at' }, ctx());
  expect(got).toHaveLength(1200);
  expect(got[1]).toEqual({ id: 2 ** 40 + 1, raw_text: rows[1]!.raw_text, created_at: rows[1]!.created_at, metadata: { source: 'test', metadata: '{"k":1}' } });
  expect(got[0]!.raw_text).toBeNull();
});

it('globs across several files in sorted order, numbering rows 1..N across them', async () => {
  await put('batch/b.csv', 'text\nb1\nb2\n');
  await put('batch/a.csv', 'text\na1\n');
  await put('batch/sub/c.csv', 'text\nc1\n');
  await put('batch/.hidden.csv', 'text\nh\n');
  const flat = await collectAll('file', { path: 'batch/*.csv', metadata_columns: [] }, ctx());
  expect(flat.map((r) => [r.id, r.raw_text])).toEqual([[1, 'a1'], [2, 'b1'], [3, 'b2']]);
  const deep = await collectAll('file', { path: 'batch/**/*.csv' }, ctx());
  expect(deep.map((r) => r.raw_text)).toEqual(['a1', 'b1', 'b2', 'c1']);
});

it('reads the example CSV shipped in data/inbox', async () => {
  const repoData = path.resolve(__dirname, '../../../data');
  const rows = await collectAll('file', { path: 'example_reviews.csv', id_column: 'id' }, { ...ctx(), dataDir: repoData });
  expect(rows).toHaveLength(50);
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
  expect(rows.some((r) => r.raw_text?.includes('\n'))).toBe(true);
  expect(rows.some((r) => r.raw_text?.includes('"'))).toBe(true);
  expect(rows.some((r) => r.raw_text === '')).toBe(true);
});

describe('bad input', () => {
  it.each([
    ['../../etc/passwd', 'must not contain ".."'],
    ['/etc/passwd', 'must be relative'],
    ['sub/../../x.csv', 'must not contain ".."'],
    ['C:/x.csv', 'must be relative'],
    ['a\\..\\b.csv', 'must use / as separator'],
  ])('refuses %s naming options.path, both in the schema and at collect time', async (p, why) => {
    expect(() => parseCollectorOptions('file', { path: p })).toThrow(`options.path: `);
    expect(() => parseCollectorOptions('file', { path: p })).toThrow(why);
    const direct = async () => {
      for await (const _ of fileCollector.collect({ path: p, format: 'auto', text_column: 'text' }, ctx())) break;
    };
    const err = await errorOf(direct());
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('options.path');
  });

  it('refuses a symlink to a file outside the inbox', async () => {
    await fs.writeFile(path.join(outside, 'secret.csv'), 'text\nsecret\n');
    await fs.symlink(path.join(outside, 'secret.csv'), path.join(inbox, 'innocent.csv'));
    const err = await errorOf(collectAll('file', { path: 'innocent.csv' }, ctx()));
    expect(err.message).toBe('options.path: "innocent.csv" resolves outside the inbox folder (symlink?)');
    const viaGlob = await errorOf(collectAll('file', { path: 'innoc*.csv' }, ctx()));
    expect(viaGlob.message).toContain('resolves outside the inbox');
  });

  it('refuses a symlinked folder that leads outside, but accepts links that stay inside', async () => {
    await fs.symlink(outside, path.join(inbox, 'escape'));
    expect((await errorOf(collectAll('file', { path: 'escape/*.csv' }, ctx()))).message).toContain('options.path: "escape/secret.csv" resolves outside');
    await fs.symlink(path.join(inbox, 'batch'), path.join(inbox, 'alias'));
    expect(await collectAll('file', { path: 'alias/a.csv' }, ctx())).toHaveLength(1);
  });

  it('names the path when nothing matches, and a folder given as a path', async () => {
    expect((await errorOf(collectAll('file', { path: 'nothing-*.csv' }, ctx()))).message).toMatch(/^options\.path: no file matches "nothing-\*\.csv"/);
    expect((await errorOf(collectAll('file', { path: 'batch' }, ctx()))).message).toContain('options.path: "batch" is a folder');
  });

  it('names the column option and the record for bad ids, dates, columns and formats', async () => {
    await put('ids.csv', 'id,text,at\n1,a,2024-01-01\nx,b,2024-01-02\n');
    expect((await errorOf(collectAll('file', { path: 'ids.csv', id_column: 'id' }, ctx()))).message).toBe(
      'options.id_column: inbox/ids.csv record 2: id "x" is not a safe integer',
    );
    await put('dates.csv', 'text,at\na,someday\n');
    expect((await errorOf(collectAll('file', { path: 'dates.csv', created_at_column: 'at' }, ctx()))).message).toBe(
      'options.created_at_column: inbox/dates.csv record 1: "someday" is not a valid date',
    );
    expect((await errorOf(collectAll('file', { path: 'ids.csv', id_column: 'key' }, ctx()))).message).toBe(
      'options.id_column: column "key" not found in inbox/ids.csv; columns: id, text, at',
    );
    await put('notes.xlsx', 'binary');
    expect((await errorOf(collectAll('file', { path: 'notes.xlsx' }, ctx()))).message).toMatch(/^options\.format: cannot tell the format of inbox\/notes\.xlsx/);
  });

  it('names the file of a corrupt Parquet input', async () => {
    await put('corrupt.parquet', Buffer.from('PAR1 this is not really parquet PAR1'));
    const err = await errorOf(collectAll('file', { path: 'corrupt.parquet' }, ctx()));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('corrupt.parquet');
    expect(err.message).toContain('not a valid Parquet file');
  });
});
