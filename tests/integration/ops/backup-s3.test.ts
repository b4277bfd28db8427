/**
 * Backups on S3 (s3rver on loopback, real AWS SDK): the archive is built from
 * the bucket's objects and written back into the bucket with its sha256;
 * restore writes every object back byte for byte (into the same store, with a
 * real catalog rebuild on Redis, or into another prefix); a tampered archive is
 * refused before anything is written. Also, on any store: objects that vanish
 * mid-backup are left out, and a backup restarts when an object changes size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { list } from 'tar';
import { Catalog } from '../../../src/catalog';
import { silentLogger } from '../../../src/logger';
import { createBackup, listBackups, restoreBackup } from '../../../src/ops';
import type { ObjectInfo, ObjectStore } from '../../../src/storage/object-store';
import { writeParquet } from '../../../src/storage/parquet';
import { S3ObjectStore } from '../../../src/storage/s3-store';
import type { RawRow } from '../../../src/types';
import { tempDir } from '../storage/fixtures';
import { startS3, type TestS3 } from '../storage/s3-server';
import { deletePrefix } from '../../support/harness';

const PREFIX = `test-ops-backup-s3-${process.pid}-${Date.now()}`;
// Incompressible and larger than one read chunk and than one multipart part (8 MiB) of the archive.
const BIG = randomBytes(9 * 2 ** 20);
const FILES: Record<string, Buffer | string> = {
  'output/final_data_20250101_000000.csv': '\ufeffid,text\n1,héllo\n',
  'reports/run-1.json': '{"state":"completed"}',
  'runs/run-1/parts/part-00000.parquet': BIG,
  'empty/zero-bytes.txt': '',
  [`deep/${'long-folder-name/'.repeat(8)}file.txt`]: 'a key longer than 100 characters needs a pax header',
};
const EXCLUDED = ['redis/appendonly.aof', 'backups/old-junk.txt', 'audit/2025-01-01.jsonl', '.tmp/partial'];

let s3: TestS3;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let redis: Redis;
let n = 0;

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function s3Store(prefix: string): S3ObjectStore {
  return new S3ObjectStore({ client: s3.client, bucket: s3.bucket, prefix, scratchDir: scratch.dir });
}

async function hashes(store: ObjectStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const o of store.list('')) {
    const h = createHash('sha256');
    for await (const c of await store.createReadStream(o.key)) h.update(c as Buffer);
    out[o.key] = h.digest('hex');
  }
  return out;
}

function* rows(count: number): Iterable<RawRow> {
  for (let i = 0; i < count; i++) yield { id: i + 1, source: 'sample', raw_text: `row ${i}`, created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)), metadata: '{}' };
}

/** A store holding FILES, a real raw Parquet file with its sidecar, and objects under excluded prefixes. */
async function seeded(): Promise<{ store: S3ObjectStore; res: { store: ObjectStore; logger: ReturnType<typeof silentLogger>; catalog: Catalog } }> {
  const store = s3Store(`data-${++n}`);
  for (const [k, v] of Object.entries(FILES)) await store.putBytes(k, v);
  for (const k of EXCLUDED) await store.putBytes(k, 'must not be archived');
  await writeParquet(store, 'raw/sample_20250101_000000.parquet', 'raw', rows(50), { kind: 'raw', inputs: [], runId: 'run-1' });
  const catalog = new Catalog({ redis, keyPrefix: `${PREFIX}:${n}:catalog`, store });
  return { store, res: { store, logger: silentLogger(), catalog } };
}

beforeAll(async () => {
  s3 = await startS3('backups');
  scratch = await tempDir('backup-s3');
  redis = new Redis('redis://127.0.0.1:6379');
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(PREFIX);
  await s3.close();
  await scratch.cleanup();
});

it('archives the bucket to backups/<stamp>.tar.gz with a matching .sha256, and restores it byte for byte with a catalog rebuild', async () => {
  const { store, res } = await seeded();
  const before = await hashes(store);
  const r = await createBackup(res, { keep: 2, now: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
  expect(r.key).toBe('backups/20250102_030405.tar.gz');
  expect(r.file).toBe(`s3://backups/data-${n}/backups/20250102_030405.tar.gz`);
  expect((await store.getBytes(`${r.key}.sha256`)).toString()).toBe(`${r.sha256}  20250102_030405.tar.gz\n`);
  const archive = await store.getBytes(r.key);
  expect(sha(archive)).toBe(r.sha256);
  expect(archive.length).toBe(r.bytes);

  const entries: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = list({ onReadEntry: (e) => entries.push(e.path) });
    parser.on('end', resolve).on('error', reject);
    Readable.from([archive]).pipe(parser as unknown as NodeJS.WritableStream);
  });
  const data = Object.keys(before).filter((k) => !/^(redis|backups|audit|\.tmp)\//.test(k)).sort();
  expect(entries.sort()).toEqual(data);
  expect(r.objects).toBe(data.length);

  // Damage the store: change one object, delete two (one of them the sidecar the catalog needs).
  await store.putBytes('reports/run-1.json', 'corrupted');
  await store.delete('runs/run-1/parts/part-00000.parquet');
  await store.delete('raw/sample_20250101_000000.parquet.meta.json');
  const restored = await restoreBackup(res, '20250102_030405.tar.gz');
  expect(restored.sha256).toBe(r.sha256);
  expect(restored.entries).toBe(data.length);
  expect(restored.target).toBe(`s3://backups/data-${n}`);
  expect(await hashes(store)).toEqual({ ...before, [`${r.key}`]: sha(archive), [`${r.key}.sha256`]: sha(`${r.sha256}  20250102_030405.tar.gz\n`) });
  expect(restored.reindexed).toEqual({ indexed: 1, errors: 0 });
  expect((await res.catalog.get('raw/sample_20250101_000000.parquet'))?.rows).toBe(50);
});

it('restores into another prefix, and keeps only the newest N backups', async () => {
  const { store, res } = await seeded();
  for (let d = 1; d <= 3; d++) await createBackup(res, { keep: 2, now: new Date(Date.UTC(2025, 0, d)) });
  expect(await listBackups(store)).toEqual(['20250103_000000.tar.gz', '20250102_000000.tar.gz']);
  const keys: string[] = [];
  for await (const o of store.list('backups/')) keys.push(o.key);
  expect(keys.sort()).toEqual(['backups/20250102_000000.tar.gz', 'backups/20250102_000000.tar.gz.sha256', 'backups/20250103_000000.tar.gz', 'backups/20250103_000000.tar.gz.sha256', 'backups/old-junk.txt']);

  const copy = s3Store(`copy-${n}`);
  const r = await restoreBackup(res, 'backups/20250103_000000.tar.gz', { into: copy });
  expect(r.reindexed).toBeUndefined();
  const want = await hashes(store);
  for (const k of Object.keys(want)) if (/^(redis|backups|audit|\.tmp)\//.test(k)) delete want[k];
  expect(await hashes(copy)).toEqual(want);
});

it('refuses a tampered archive in the bucket before writing anything', async () => {
  const { store, res } = await seeded();
  const r = await createBackup(res, { keep: 3 });
  const bytes = await store.getBytes(r.key);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  await store.putBytes(r.key, bytes);
  const copy = s3Store(`never-${n}`);
  await expect(restoreBackup(res, r.file.split('/').pop()!, { into: copy })).rejects.toThrow(/refusing to restore s3:\/\/.*sha256 mismatch \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)/);
  const written: string[] = [];
  for await (const o of copy.list('')) written.push(o.key);
  expect(written).toEqual([]);
  await store.delete(`${r.key}.sha256`);
  await expect(restoreBackup(res, r.key, { into: copy })).rejects.toThrow(/checksum file s3:\/\/.*\.sha256 is missing/);
  // The spooled copies in the scratch dir are gone.
  expect((await fs.readdir(scratch.dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
});

/** A store that reports stale listings: an object that no longer exists, and (once) a wrong size. */
function staleListing(inner: ObjectStore, ghost: string, resized: string): ObjectStore {
  let lists = 0;
  return Object.assign(Object.create(inner) as ObjectStore, {
    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      const first = prefix === '' && lists++ === 0;
      for await (const o of inner.list(prefix)) yield first && o.key === resized ? { ...o, size: o.size + 1 } : o;
      if (prefix === '') yield { key: ghost, size: 10, mtime: new Date() };
    },
  });
}

it('leaves out objects deleted mid-backup and starts over when one changes size', async () => {
  const { store } = await seeded();
  const flaky = staleListing(store, 'reports/deleted-meanwhile.json', 'reports/run-1.json');
  const logger = silentLogger();
  const warn = jest.spyOn(logger, 'warn');
  const r = await createBackup({ store: flaky, logger }, { keep: 3 });
  expect(warn.mock.calls.map((c) => c[0])).toEqual(['backup: an object changed while archiving; starting over', 'backup: objects deleted while archiving were left out']);
  const copy = s3Store(`flaky-${n}`);
  await restoreBackup({ store, logger: silentLogger() }, r.key, { into: copy });
  expect((await copy.getBytes('reports/run-1.json')).toString()).toBe(FILES['reports/run-1.json']);
  expect(await copy.stat('reports/deleted-meanwhile.json')).toBeNull();
  expect(r.objects).toBe(Object.keys(FILES).length + 2);
});
