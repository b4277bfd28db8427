/**
 * Backups on real files (local store): the archive leaves out redis/, backups/, .tmp/ and audit/,
 * carries a sha256 that matches, round-trips byte for byte, keeps only the
 * newest N, and restore refuses a tampered archive, a missing checksum and
 * entries that climb out of the target.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { create, list } from 'tar';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/logger';
import { createBackup, listBackups, restoreBackup, sha256File } from '../../../src/ops';
import { LocalObjectStore } from '../../../src/storage/local-store';
import type { ObjectStore } from '../../../src/storage/object-store';
import { deletePrefix } from '../../support/harness';

let tmp: string;
let dataDir: string;
let res: { config: ReturnType<typeof loadConfig>; logger: ReturnType<typeof silentLogger>; store: ObjectStore };

const FILES: Record<string, string> = {
  'raw/sample_20250101_000000.parquet': 'PAR1 raw bytes \u0000\u0001',
  'raw/sample_20250101_000000.parquet.meta.json': '{"kind":"raw"}',
  'processed/sample_daily_20250101_000000.parquet': 'processed',
  'output/final_data_20250101_000000.csv': '\ufeffid,text\n1,héllo\n',
  'reports/run-1.json': '{"state":"completed"}',
  'runs/run-1/parts/part-00000.parquet': 'part',
};

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(await fs.readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-backup-'));
  dataDir = path.join(tmp, 'data');
  for (const [k, v] of Object.entries(FILES)) {
    await fs.mkdir(path.dirname(path.join(dataDir, k)), { recursive: true });
    await fs.writeFile(path.join(dataDir, k), v);
  }
  for (const excluded of ['redis/appendonly.aof', '.tmp/partial-write', 'backups/old-junk.txt', 'audit/2025-01-01.jsonl']) {
    await fs.mkdir(path.dirname(path.join(dataDir, excluded)), { recursive: true });
    await fs.writeFile(path.join(dataDir, excluded), 'must not be archived');
  }
  res = { config: loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }), logger: silentLogger(), store: new LocalObjectStore(dataDir) };
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

it('writes <timestamp>.tar.gz with a matching .sha256, without redis/, backups/, .tmp/ and audit/, and restores it byte for byte', async () => {
  const r = await createBackup(res, { keep: 3, now: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
  expect(path.basename(r.file)).toBe('20250102_030405.tar.gz');
  expect(path.dirname(r.file)).toBe(path.join(dataDir, 'backups'));
  const sumLine = await fs.readFile(`${r.file}.sha256`, 'utf8');
  expect(sumLine).toBe(`${r.sha256}  20250102_030405.tar.gz\n`);
  expect(await sha256File(r.file)).toBe(r.sha256);

  const entries: string[] = [];
  await list({ file: r.file, onReadEntry: (e) => entries.push(e.path) });
  expect(entries.some((e) => /^(redis|backups|\.tmp|audit)(\/|$)/.test(e))).toBe(false);
  expect(entries.sort()).toEqual(Object.keys(FILES).sort());
  expect(r.objects).toBe(Object.keys(FILES).length);
  for (const k of Object.keys(FILES)) expect(entries).toContain(k);

  const target = path.join(tmp, 'restored');
  const restored = await restoreBackup(res, r.file, { target });
  expect(restored.sha256).toBe(r.sha256);
  expect(restored.entries).toBe(Object.keys(FILES).length);
  const want = await tree(dataDir);
  for (const k of Object.keys(want)) if (/^(redis|backups|\.tmp|audit)\//.test(k)) delete want[k];
  expect(await tree(target)).toEqual(want);
});

it('restores into the data dir by file name, overwriting changed files', async () => {
  const r = await createBackup(res, { keep: 3 });
  await fs.writeFile(path.join(dataDir, 'reports/run-1.json'), 'corrupted by hand');
  await fs.rm(path.join(dataDir, 'output'), { recursive: true });
  await restoreBackup(res, path.basename(r.file));
  expect(await fs.readFile(path.join(dataDir, 'reports/run-1.json'), 'utf8')).toBe(FILES['reports/run-1.json']);
  expect(await fs.readFile(path.join(dataDir, 'output/final_data_20250101_000000.csv'), 'utf8')).toBe(FILES['output/final_data_20250101_000000.csv']);
});

it('keeps only the newest N backups with their checksums', async () => {
  for (let i = 0; i < 4; i++) await createBackup(res, { keep: 2, now: new Date(Date.UTC(2025, 0, 1 + i)) });
  const dir = path.join(dataDir, 'backups');
  expect(await listBackups(res.store)).toEqual(['20250104_000000.tar.gz', '20250103_000000.tar.gz']);
  const sums = (await fs.readdir(dir)).filter((n) => n.endsWith('.sha256')).sort();
  expect(sums).toEqual(['20250103_000000.tar.gz.sha256', '20250104_000000.tar.gz.sha256']);
  // Two backups in the same second get distinct names.
  const a = await createBackup(res, { keep: 5, now: new Date(Date.UTC(2025, 0, 9)) });
  const b = await createBackup(res, { keep: 5, now: new Date(Date.UTC(2025, 0, 9)) });
  expect(a.file).not.toBe(b.file);
});

it('refuses a tampered archive before writing anything', async () => {
  const r = await createBackup(res, { keep: 3 });
  const bytes = await fs.readFile(r.file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  await fs.writeFile(r.file, bytes);
  const target = path.join(tmp, 'never');
  await expect(restoreBackup(res, r.file, { target })).rejects.toThrow(/sha256 mismatch \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)/);
  await expect(fs.stat(target)).rejects.toThrow(/ENOENT/);
});

it('restores an archive made by earlier versions (a tar of the data directory, with folder entries)', async () => {
  const file = path.join(tmp, 'old-style.tar.gz');
  await create({ file, gzip: true, cwd: dataDir, portable: true }, ['raw', 'processed', 'output', 'reports', 'runs']);
  await fs.writeFile(`${file}.sha256`, `${await sha256File(file)}  old-style.tar.gz\n`);
  const target = path.join(tmp, 'from-old');
  const r = await restoreBackup(res, file, { target });
  expect(r.entries).toBe(Object.keys(FILES).length);
  const want = await tree(dataDir);
  for (const k of Object.keys(want)) if (/^(redis|backups|\.tmp|audit)\//.test(k)) delete want[k];
  expect(await tree(target)).toEqual(want);
});

it('refuses an archive without its checksum file', async () => {
  const r = await createBackup(res, { keep: 3 });
  await fs.rm(`${r.file}.sha256`);
  await expect(restoreBackup(res, r.file, { target: path.join(tmp, 'x') })).rejects.toThrow(/checksum file .*\.sha256 is missing/);
});

it('refuses archives whose entries are absolute, contain "..", or are symlinks, even with a valid checksum', async () => {
  const evil = path.join(tmp, 'evil');
  await fs.mkdir(path.join(evil, 'a'), { recursive: true });
  await fs.writeFile(path.join(evil, 'a', 'x.txt'), 'x');
  await fs.symlink('/etc/passwd', path.join(evil, 'a', 'link'));
  const cases: Array<[string, RegExp, (file: string) => Promise<void>]> = [
    ['dotdot', /"\.\.\/escape\.txt" contains "\.\."/, (file) => create({ file, gzip: true, cwd: evil, preservePaths: true }, ['a/x.txt']).then(() => rewriteFirstPath(file, '../escape.txt'))],
    ['absolute', /"\/tmp\/abs\.txt" is absolute/, (file) => create({ file, gzip: true, cwd: evil, preservePaths: true }, ['a/x.txt']).then(() => rewriteFirstPath(file, '/tmp/abs.txt'))],
    ['symlink', /"a\/link" is a SymbolicLink/, (file) => create({ file, gzip: true, cwd: evil }, ['a/link'])],
  ];
  for (const [name, message, make] of cases) {
    const file = path.join(tmp, `${name}.tar.gz`);
    await make(file);
    await fs.writeFile(`${file}.sha256`, `${await sha256File(file)}  ${name}.tar.gz\n`);
    const target = path.join(tmp, `out-${name}`);
    await expect(restoreBackup(res, file, { target })).rejects.toThrow(message);
    await expect(fs.stat(target)).rejects.toThrow(/ENOENT/);
  }
});

/** Rewrite the first entry's name in a gzipped tar (fixing the header checksum), to forge a hostile archive. */
async function rewriteFirstPath(file: string, name: string): Promise<void> {
  const raw = zlib.gunzipSync(await fs.readFile(file));
  raw.fill(0, 0, 100);
  raw.write(name, 0, 'utf8');
  raw.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += raw[i]!;
  raw.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  await fs.writeFile(file, zlib.gzipSync(raw));
}

describe('dataops backup / restore', () => {
  const REPO = path.resolve(__dirname, '..', '..', '..');
  const prefix = `test-ops-cli-${process.pid}-${Date.now()}`;
  afterAll(async () => {
    await deletePrefix(prefix);
  });

  async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/dataops.js'), ...args], {
      cwd: REPO,
      env: { ...process.env, QUEUE_PREFIX: prefix, DATA_DIR: dataDir, REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'error' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('backs up and restores through the CLI (each spawn compiles through tsx, so only two)', async () => {
    const made = await cli(['backup', '--keep', '2', '--json']);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const r = JSON.parse(made.stdout) as { file: string; sha256: string };
    expect(await sha256File(r.file)).toBe(r.sha256);
    await fs.writeFile(path.join(dataDir, 'reports/run-1.json'), 'changed');
    const restored = await cli(['restore', path.basename(r.file)]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/verified sha256 [0-9a-f]{64}/);
    expect(await fs.readFile(path.join(dataDir, 'reports/run-1.json'), 'utf8')).toBe(FILES['reports/run-1.json']);
  }, 60_000);
});
