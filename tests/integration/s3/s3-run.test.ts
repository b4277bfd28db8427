/**
 * End to end on S3: a real run with STORAGE_URL=s3://bucket/prefix against
 * s3rver on loopback. Every output is an s3:// URI, DuckDB reads the objects'
 * downloaded copies with the exact row count, the catalog records s3 URIs and
 * `verify` re-hashes objects in the bucket. Nothing lands in the local data
 * directory except scratch files, which are gone by the end.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { AuditLog } from '../../../src/audit/audit-log';
import { silentLogger } from '../../../src/logger';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';
import { startS3, type TestS3 } from '../storage/s3-server';
import { downloadObject, listBucket, listLocalFiles, parseS3Uri, useS3rverCredentials } from './s3-helpers';

const BUCKET = 'dataops-e2e';
const PREFIX = `run-${process.pid}`;
const ROWS = 3000;
const CSV_COLUMNS = `columns = {id: 'BIGINT', source: 'VARCHAR', raw_text: 'VARCHAR', created_at: 'VARCHAR', metadata: 'VARCHAR', cleaned_text: 'VARCHAR', llm_model: 'VARCHAR', cleaning_task: 'VARCHAR', processed_at: 'VARCHAR', status: 'VARCHAR', error: 'VARCHAR'}`;

let s3: TestS3;
let h: Harness;
let tmp: string;
let restoreEnv: () => void;
let inboxBefore: string[];

beforeAll(async () => {
  restoreEnv = useS3rverCredentials();
  s3 = await startS3(BUCKET);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'test-s3-run-'));
  // The API's audit log is a local log of the API host, not data: keep it out of DATA_DIR so
  // the check below sees only what the run writes.
  const audit = new AuditLog({ dir: path.join(tmp, 'audit'), logger: silentLogger() });
  h = await createHarness(
    { env: { STORAGE_URL: `s3://${BUCKET}/${PREFIX}`, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'us-east-1' } },
    { audit },
  );
  inboxBefore = await listLocalFiles(h.dataDir);
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await s3?.close();
  await fs.rm(tmp, { recursive: true, force: true });
  restoreEnv?.();
});

describe(`a ${ROWS}-row run with STORAGE_URL=s3://…`, () => {
  let runId: string;
  let status: {
    state: string;
    outputs: Record<string, string>;
    counts: { rowsCollected: number; rowsCleaned: number; rowsFailed: number; chunks: number; duplicatesRemoved: number; rowsOutput: number };
  };

  beforeAll(async () => {
    expect(h.res.store.kind).toBe('s3');
    const start = await request(h.app)
      .post('/api/runs')
      .set(auth('operator'))
      .send({ pipeline: 'sample_daily', overrides: { options: { rows: ROWS }, chunk_size: 500 } })
      .expect(202);
    runId = start.body.runId;
    const done = await h.waitForRun(runId, 90_000);
    expect(done.error).toBeNull();
    status = (await request(h.app).get(`/api/runs/${runId}`).set(auth('viewer')).expect(200)).body;
  }, 120_000);

  it('completes with s3:// outputs that mirror the contract layout', () => {
    expect(status.state).toBe('completed');
    expect(status.counts.rowsCollected).toBe(ROWS);
    expect(status.counts.chunks).toBe(6);
    expect(status.counts.rowsCleaned + status.counts.rowsFailed).toBe(ROWS);
    const base = `s3://${BUCKET}/${PREFIX}/`;
    expect(status.outputs.raw).toMatch(new RegExp(`^${base}raw/sample_\\d{8}_\\d{6}\\.parquet$`));
    expect(status.outputs.processed).toMatch(new RegExp(`^${base}processed/sample_daily_\\d{8}_\\d{6}\\.parquet$`));
    expect(status.outputs.csv).toMatch(new RegExp(`^${base}output/final_data_\\d{8}_\\d{6}\\.csv$`));
    expect(status.outputs.report).toBe(`${base}reports/${runId}.json`);
  });

  it('DuckDB reads the downloaded processed, raw and CSV objects with exact row counts', async () => {
    const processed = await downloadObject(s3.client, status.outputs.processed!, tmp);
    const raw = await downloadObject(s3.client, status.outputs.raw!, tmp);
    const csv = await downloadObject(s3.client, status.outputs.csv!, tmp);
    const [p] = await duckQuery(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi, sum(CASE WHEN status = 'cleaned' THEN 1 ELSE 0 END) AS cleaned FROM read_parquet(${sqlPath(processed)})`,
    );
    expect(p).toEqual({ n: ROWS, ids: ROWS, lo: 1, hi: ROWS, cleaned: status.counts.rowsCleaned });
    const [r] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet(${sqlPath(raw)})`);
    expect(r).toEqual({ n: ROWS, ids: ROWS });
    const [c] = await duckQuery(`SELECT count(*) AS n FROM read_csv(${sqlPath(csv)}, header = true, delim = ',', quote = '"', escape = '"', ${CSV_COLUMNS})`);
    expect(c!.n).toBe(ROWS - status.counts.duplicatesRemoved);
    expect(status.counts.rowsOutput).toBe(c!.n);
    expect((await fs.readFile(csv)).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const report = JSON.parse(await fs.readFile(await downloadObject(s3.client, status.outputs.report!, tmp), 'utf8'));
    expect(report.runId).toBe(runId);
  });

  it('the catalog records s3:// URIs, the bucket holds every sidecar, and verify re-hashes objects', async () => {
    const entries = await h.res.catalog.listRun(runId);
    const kinds = entries.map((e) => e.kind).sort();
    expect(kinds.filter((k) => k === 'part')).toHaveLength(6);
    for (const k of ['raw', 'processed', 'output', 'report']) expect(kinds).toContain(k);
    const objects = new Set((await listBucket(s3.client, BUCKET, `${PREFIX}/`)).map((o) => o.key));
    for (const e of entries) {
      expect(e.uri).toBe(`s3://${BUCKET}/${PREFIX}/${e.key}`);
      expect(objects.has(`${PREFIX}/${e.key}`)).toBe(true);
      expect(objects.has(`${PREFIX}/${e.key}.meta.json`)).toBe(true);
    }
    // The sidecar's sha256 is the object's, byte for byte.
    const processed = entries.find((e) => e.kind === 'processed')!;
    const local = await downloadObject(s3.client, processed.uri, tmp);
    expect(createHash('sha256').update(await fs.readFile(local)).digest('hex')).toBe(processed.sha256);
    expect(await h.res.catalog.verify(processed.key)).toEqual({ ok: true, expected: processed.sha256, actual: processed.sha256 });
    expect((await h.res.catalog.verify(status.outputs.csv!)).ok).toBe(true);

    // verify must read the bucket: change one part object behind the catalog's back.
    const part = entries.find((e) => e.kind === 'part')!;
    const { bucket, key } = parseS3Uri(part.uri);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'tampered' }));
    const bad = await h.res.catalog.verify(part.key);
    expect(bad.ok).toBe(false);
    expect(bad.actual).toBe(createHash('sha256').update('tampered').digest('hex'));
  });

  it('wrote nothing under the local DATA_DIR except scratch files, which are gone', async () => {
    const after = await listLocalFiles(h.dataDir);
    expect(after).toEqual(inboxBefore);
    // The scratch directory may remain, but empty.
    const scratch = await fs.readdir(path.join(h.dataDir, '.tmp')).catch(() => []);
    expect(scratch).toEqual([]);
  });
});
