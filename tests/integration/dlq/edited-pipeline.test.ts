/**
 * pipelines.yaml edited while a run is in flight: the run keeps the chunk size
 * it fanned out with, so the rows of a failed chunk are read back from the
 * right range of the raw file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { startRun } from '../../../src/runs/start-run';
import { duckQuery } from '../../support/duckdb';
import { createHarness, type Harness } from '../../support/harness';
import { blockPart, DLQ_PIPELINES, eventually, testRunId } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ extraPipelines: DLQ_PIPELINES });
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
});

it('finalizes with the fan-out chunk size even after chunk_size changed in pipelines.yaml', async () => {
  const runId = testRunId('edited');
  const unblock = await blockPart(h, runId, 1);
  await startRun(h.res, { pipeline: 'dlq_mark', trigger: 'api', runId });
  await eventually('fan-out', async () => ((await h.res.runs.get(runId))?.counts.chunks === 3 ? true : undefined));
  // Edit the pipeline while chunk 1 is still being retried (3 attempts with backoff).
  const file = path.join(h.resourcesDir, 'pipelines.yaml');
  const text = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, text.replace(/(dlq_mark:[\s\S]*?chunk_size: )30/, '$17'));
  expect(await fs.readFile(file, 'utf8')).not.toEqual(text);

  const done = await h.waitForRun(runId, 30_000);
  expect(done.state).toBe('completed');
  expect(done.counts).toMatchObject({ rowsCollected: 90, rowsFailed: 30, chunksFailed: 1 });
  const [failed] = await duckQuery(`SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM read_parquet('${done.outputs.processed}') WHERE status = 'failed'`);
  expect(failed).toEqual({ n: 30, lo: 31, hi: 60 });
  await unblock();
});
