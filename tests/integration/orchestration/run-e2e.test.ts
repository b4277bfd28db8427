/**
 * End to end on real Redis and real BullMQ: a run started over HTTP collects,
 * fans out to chunk jobs, finalizes, and its files hold exactly the collected
 * rows (checked with DuckDB).
 */
import request from 'supertest';
import { duckQuery } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  h.startWorkers();
});
afterAll(async () => {
  await h.close();
});

describe('a run started with POST /api/runs', () => {
  it('completes, and processed + CSV hold exactly the collected rows', async () => {
    const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily' }).expect(202);
    expect(start.body.statusUrl).toBe(`/api/runs/${start.body.runId}`);
    const done = await h.waitForRun(start.body.runId);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');

    const status = (await request(h.app).get(start.body.statusUrl).set(auth('viewer')).expect(200)).body;
    expect(status.state).toBe('completed');
    expect(status.progress).toBe(100);
    expect(status.counts.rowsCollected).toBe(1000);
    expect(status.counts.chunks).toBe(2);
    expect(status.counts.rowsCleaned + status.counts.rowsFailed).toBe(1000);
    for (const k of ['raw', 'processed', 'csv', 'report']) expect(status.outputs[k]).toMatch(/^\//);
    expect(status.outputs.raw).toMatch(/\/raw\/sample_\d{8}_\d{6}\.parquet$/);
    expect(status.outputs.processed).toMatch(/\/processed\/sample_daily_\d{8}_\d{6}\.parquet$/);
    expect(status.outputs.csv).toMatch(/\/output\/final_data_\d{8}_\d{6}\.csv$/);

    const [raw] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${status.outputs.raw}')`);
    const [processed] = await duckQuery(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(CASE WHEN status = 'cleaned' THEN 1 ELSE 0 END) AS cleaned FROM read_parquet('${status.outputs.processed}')`,
    );
    expect(raw).toEqual({ n: 1000, ids: 1000 });
    expect(processed).toEqual({ n: 1000, ids: 1000, cleaned: status.counts.rowsCleaned });
    // The analysts' CSV drops duplicate cleaned texts (dedupe: true) and says how many.
    const [csv] = await duckQuery(`SELECT count(*) AS n FROM read_csv('${status.outputs.csv}', header = true, delim = ',', quote = '"', escape = '"', columns = {id: 'BIGINT', source: 'VARCHAR', raw_text: 'VARCHAR', created_at: 'VARCHAR', metadata: 'VARCHAR', cleaned_text: 'VARCHAR', llm_model: 'VARCHAR', cleaning_task: 'VARCHAR', processed_at: 'VARCHAR', status: 'VARCHAR', error: 'VARCHAR'})`);
    expect(csv!.n).toBe(1000 - status.counts.duplicatesRemoved);
    expect(status.counts.rowsOutput).toBe(csv!.n);

    const lineage = (await request(h.app).get(`/api/runs/${start.body.runId}/lineage`).set(auth('viewer')).expect(200)).body;
    const kinds = lineage.nodes.map((n: { kind: string }) => n.kind);
    for (const k of ['source', 'raw', 'part', 'processed', 'output', 'report']) expect(kinds).toContain(k);
  });

  it('runs 10 at once without mixing rows between runs', async () => {
    const sizes = Array.from({ length: 10 }, (_, i) => 50 + i * 7);
    const started = await Promise.all(
      sizes.map((rows) =>
        request(h.app)
          .post('/api/runs')
          .set(auth('operator'))
          .send({ pipeline: 'sample_daily', overrides: { options: { rows }, chunk_size: 20 } })
          .expect(202),
      ),
    );
    const finals = await Promise.all(started.map((s) => h.waitForRun(s.body.runId, 120_000)));
    const processedFiles = new Set<string>();
    for (const [i, f] of finals.entries()) {
      expect(f.state).toBe('completed');
      expect(f.counts.rowsCollected).toBe(sizes[i]);
      processedFiles.add(f.outputs.processed!);
      const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM read_parquet('${f.outputs.processed}')`);
      expect(p).toEqual({ n: sizes[i], ids: sizes[i], lo: 1, hi: sizes[i] });
    }
    // Every run got its own files even though they started in the same second.
    expect(processedFiles.size).toBe(10);
  });
});
