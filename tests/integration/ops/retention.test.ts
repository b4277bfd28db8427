/**
 * Retention on real files and a real run store: expired files go with their
 * sidecars; files of unfinished runs and recent files stay; part folders go
 * as a whole; a dry run deletes nothing; low disk raises a disk_low notice.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { noticeStats } from '../../../src/notify';
import { applyRetention, checkDisk, parseOpsConfig, retentionTask, sweepScratch } from '../../../src/ops';
import { createHarness, type Harness } from '../../support/harness';

let h: Harness;
const DAY = 24 * 3600 * 1000;
const cfg = parseOpsConfig({});

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function put(key: string, ageDays: number, meta?: Record<string, unknown>): Promise<void> {
  const file = path.join(h.dataDir, key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `content of ${key}`);
  const when = new Date(Date.now() - ageDays * DAY);
  await fs.utimes(file, when, when);
  if (meta) {
    await fs.writeFile(`${file}.meta.json`, JSON.stringify({ key, ...meta }));
    await fs.utimes(`${file}.meta.json`, when, when);
  }
}

const exists = (key: string) => fs.stat(path.join(h.dataDir, key)).then(() => true, () => false);

it('deletes expired files with their sidecars and keeps in-use and recent ones', async () => {
  await h.res.runs.create({ runId: 'run-done', pipeline: 'p', trigger: 'cli' });
  await h.res.runs.setState('run-done', 'completed');
  await h.res.runs.create({ runId: 'run-busy', pipeline: 'p', trigger: 'cli' });
  await h.res.runs.setState('run-busy', 'cleaning');

  await put('raw/old_done.parquet', 40, { runId: 'run-done' });
  await put('raw/old_busy.parquet', 40, { runId: 'run-busy' });
  await put('raw/recent.parquet', 29, { runId: 'run-done' });
  await put('raw/orphan.parquet.meta.json', 40);
  await put('processed/old_no_sidecar.parquet', 91);
  await put('processed/young.parquet', 89);
  await put('output/last_year.csv', 366, { runId: 'run-done' });
  await put('output/this_year.csv', 300, { runId: 'run-done' });
  await put('reports/run-done.json', 400);
  await put('reports/run-busy.json', 400);
  await put('runs/run-done/parts/part-00000.parquet', 3);
  await put('runs/run-done/parts/part-00001.parquet', 3);
  await put('runs/run-busy/parts/part-00000.parquet', 30);
  await put('runs/run-new/parts/part-00000.parquet', 1);

  const catalogued = { key: 'raw/old_done.parquet', uri: path.join(h.dataDir, 'raw/old_done.parquet'), kind: 'raw' as const, format: 'parquet' as const, rows: 1, bytes: 1, sha256: 'a'.repeat(64), schemaVersion: 1, createdAt: new Date().toISOString(), runId: 'run-done', inputs: [] };
  await h.res.catalog.record(catalogued);

  const dry = await applyRetention(h.res, cfg, { dryRun: true });
  expect(dry.deleted.length).toBeGreaterThan(0);
  expect(await exists('raw/old_done.parquet')).toBe(true);

  const r = await applyRetention(h.res, cfg);
  expect(r.deleted.sort()).toEqual(
    [
      'output/last_year.csv',
      'output/last_year.csv.meta.json',
      'processed/old_no_sidecar.parquet',
      'raw/old_done.parquet',
      'raw/old_done.parquet.meta.json',
      'raw/orphan.parquet.meta.json',
      'reports/run-done.json',
      'runs/run-done/parts/part-00000.parquet',
      'runs/run-done/parts/part-00001.parquet',
    ].sort(),
  );
  expect(dry.deleted.sort()).toEqual(r.deleted);
  expect(r.keptInUse.sort()).toEqual(['raw/old_busy.parquet', 'reports/run-busy.json', 'runs/run-busy/'].sort());
  for (const k of r.deleted) expect(await exists(k)).toBe(false);
  // Deleted files leave the catalog too.
  expect(await h.res.catalog.get('raw/old_done.parquet')).toBeNull();
  expect(await h.res.catalog.findBySha256('a'.repeat(64))).toEqual([]);
  for (const k of ['raw/old_busy.parquet', 'raw/old_busy.parquet.meta.json', 'raw/recent.parquet', 'processed/young.parquet', 'output/this_year.csv', 'reports/run-busy.json', 'runs/run-busy/parts/part-00000.parquet', 'runs/run-new/parts/part-00000.parquet']) {
    expect(await exists(k)).toBe(true);
  }
  // The cleaned run's empty folder is gone too.
  expect(await exists('runs/run-done')).toBe(false);

  // Once the busy run finishes, its old files go on the next pass.
  await h.res.runs.setState('run-busy', 'failed');
  const later = await applyRetention(h.res, cfg);
  expect(later.deleted).toEqual(expect.arrayContaining(['raw/old_busy.parquet', 'raw/old_busy.parquet.meta.json', 'reports/run-busy.json', 'runs/run-busy/parts/part-00000.parquet']));
  expect(later.keptInUse).toEqual([]);
});

it('honours per-kind ages from retention.yaml', async () => {
  await put('raw/five_days.parquet', 5);
  const strict = parseOpsConfig({ max_age_days: { raw: 4 } });
  expect(strict.max_age_days.processed).toBe(90);
  expect((await applyRetention(h.res, parseOpsConfig({}))).deleted).not.toContain('raw/five_days.parquet');
  expect((await applyRetention(h.res, strict)).deleted).toContain('raw/five_days.parquet');
});

it('raises a disk_low notice when free space is under the threshold, and not otherwise', async () => {
  const stats = () => noticeStats(h.res.redis, `${h.res.keyPrefix}:notify`);
  const ok = await checkDisk(h.res, { min_free_percent: 0, min_free_mb: 0 });
  expect(ok.low).toBe(false);
  expect(ok.freeBytes).toBeGreaterThan(0);
  expect((await stats())['disk_low:raised']).toBeUndefined();
  const low = await checkDisk(h.res, { min_free_percent: 100, min_free_mb: 0 });
  expect(low.low).toBe(true);
  expect((await stats())['disk_low:raised']).toBe(1);
});

it('runs as the retention housekeeping task with resources/retention.yaml', async () => {
  await put('raw/ancient.parquet', 1000);
  const out = await retentionTask(h.res);
  expect(out.deleted).toBeGreaterThanOrEqual(1);
  expect(out.sample).toContain('raw/ancient.parquet');
  expect(out.disk).toEqual(expect.objectContaining({ path: h.dataDir, low: expect.any(Boolean) }));
});

it('removes status records of old finished runs and keeps unfinished or recent ones', async () => {
  const old = new Date(Date.now() - 100 * DAY);
  await h.res.runs.create({ runId: 'rec-old-done', pipeline: 'p', trigger: 'cli', createdAt: old });
  await h.res.runs.setState('rec-old-done', 'completed');
  await h.res.runs.applyChunk('rec-old-done', 0, { rows: 1, cleaned: 1, failed: 0, llm: { requests: 0, promptTokens: 0, completionTokens: 0, tokens: 0, costUsd: 0, cacheHits: 0 } });
  await h.res.runs.create({ runId: 'rec-old-busy', pipeline: 'p', trigger: 'cli', createdAt: old });
  await h.res.runs.setState('rec-old-busy', 'cleaning');
  await h.res.runs.create({ runId: 'rec-new-done', pipeline: 'p', trigger: 'cli' });
  await h.res.runs.setState('rec-new-done', 'failed');

  const removed = await h.res.runs.prune(new Date(Date.now() - 90 * DAY));
  expect(removed).toEqual(['rec-old-done']);
  expect(await h.res.runs.get('rec-old-done')).toBeNull();
  expect(await h.res.redis.exists(`${h.res.keyPrefix}:run:rec-old-done:chunks`)).toBe(0);
  expect((await h.res.runs.get('rec-old-busy'))?.state).toBe('cleaning');
  expect((await h.res.runs.get('rec-new-done'))?.state).toBe('failed');
  const listed = (await h.res.runs.list(100)).map((r) => r.runId);
  expect(listed).not.toContain('rec-old-done');
  expect(listed).toEqual(expect.arrayContaining(['rec-old-busy', 'rec-new-done']));
});

it('sweeps temp files abandoned by killed writers, and keeps fresh ones', async () => {
  const dir = h.res.store.scratchDir();
  await fs.mkdir(dir, { recursive: true });
  const old = path.join(dir, 'abandoned.csv.tmp');
  const fresh = path.join(dir, 'in-flight.parquet.tmp');
  await fs.writeFile(old, 'partial');
  await fs.writeFile(fresh, 'partial');
  const when = new Date(Date.now() - 2 * DAY);
  await fs.utimes(old, when, when);
  expect(await sweepScratch(h.res.store)).toEqual(['abandoned.csv.tmp']);
  expect(await exists(path.relative(h.dataDir, fresh))).toBe(true);
  expect(await exists(path.relative(h.dataDir, old))).toBe(false);
});
