/**
 * An `engine: llm` pipeline through real BullMQ runs against the fake
 * OpenAI-compatible server: rows come back cleaned exactly as the task says
 * (rules.before → model → rules.after), the run's LLM counters match what the
 * server saw, the cost is estimated before fan-out, and a second identical run
 * is answered entirely from the shared cache.
 */
import request from 'supertest';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { auth, createHarness, type Harness } from '../../support/harness';
import { expectedRow, llmEnv, llmTaskYaml, parseTask, readProcessed, writePrices } from './setup';

const TASK_YAML = llmTaskYaml();
const FALLBACK_YAML = llmTaskYaml({ task_name: 'llm_fallback', fallback_model: 'fallback-model' });
const task = parseTask(TASK_YAML);
const ROWS = 600;

let h: Harness;
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 5 });
  h = await createHarness({
    env: llmEnv(fake.url),
    extraTasks: { llm_test: TASK_YAML, llm_fallback: FALLBACK_YAML },
    extraPipelines: [
      `  llm_pipe:\n    source: sample\n    options: { rows: ${ROWS}, base_time: "2024-01-01T00:00:00Z" }\n    task: llm_test\n    chunk_size: 100\n    output: llm_out`,
      `  llm_fallback_pipe:\n    source: sample\n    options: { rows: 100, seed: 7 }\n    task: llm_fallback\n    chunk_size: 100\n    output: llm_fb_out`,
    ].join('\n'),
  });
  await writePrices(h);
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function runPipeline(pipeline = 'llm_pipe') {
  const start = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline }).expect(202);
  const done = await h.waitForRun(start.body.runId, 50_000);
  const status = (await request(h.app).get(`/api/runs/${start.body.runId}`).set(auth('viewer')).expect(200)).body;
  return { done, status };
}

let firstProcessed: Awaited<ReturnType<typeof readProcessed>>;
let rowsWithText = 0;

it('cleans every row through the LLM: model, task, status and text as the task says; counters match the server', async () => {
  const { done, status } = await runPipeline();
  expect(done.error).toBeNull();
  expect(status.state).toBe('completed');
  expect(status.counts).toMatchObject({ rowsCollected: ROWS, rowsCleaned: ROWS, rowsFailed: 0, chunks: 6, chunksFailed: 0 });

  const rows = await readProcessed(status.outputs.processed);
  expect(rows).toHaveLength(ROWS);
  expect(new Set(rows.map((r) => r.id)).size).toBe(ROWS);
  let viaLlm = 0;
  for (const r of rows) {
    const want = expectedRow(task, r.raw_text);
    expect({ id: r.id, cleaned_text: r.cleaned_text, llm_model: r.llm_model, cleaning_task: r.cleaning_task, status: r.status, error: r.error }).toEqual({
      id: r.id,
      cleaned_text: want.text,
      llm_model: want.viaLlm ? 'test-model' : null,
      cleaning_task: 'llm_test',
      status: 'cleaned',
      error: null,
    });
    if (want.viaLlm) viaLlm++;
  }
  // The sample has null, empty and HTML-only texts: they pass through without a request.
  expect(viaLlm).toBeGreaterThan(ROWS * 0.9);
  expect(viaLlm).toBeLessThan(ROWS);
  rowsWithText = viaLlm;
  firstProcessed = rows;

  // What the run reports is exactly what the server served and billed.
  expect(status.llm.requests).toBe(fake.stats.requests);
  expect(status.llm.tokens).toBe(fake.stats.tokens);
  expect(status.llm.requests).toBeGreaterThanOrEqual(Math.ceil(viaLlm / task.batch_size) * 0.8);
  expect(status.llm.costUsd).toBeCloseTo(fake.stats.tokens / 1e6, 6);
  expect(status.llm.costUsd).toBeGreaterThan(0);
  // Duplicates inside a chunk were sent once; other chunks may have found them in the cache.
  expect(fake.stats.items + status.llm.cacheHits).toBeLessThanOrEqual(viaLlm);
  expect(fake.stats.jsonModeRequests).toBe(fake.stats.requests);
  expect(new Set(fake.stats.systemMessages.map((m) => m.split('\n')[0]))).toEqual(new Set(['You clean short reviews. Reply only with JSON.']));
  expect(fake.stats.texts.every((t) => t.startsWith('Clean: ') && !/<[a-z][^>]*>/i.test(t))).toBe(true);

  // The estimate was made before fan-out, from a 200-row sample: the right order of magnitude.
  expect(status.llm.estimatedCostUsd).toBeGreaterThan(status.llm.costUsd * 0.7);
  expect(status.llm.estimatedCostUsd).toBeLessThan(status.llm.costUsd * 1.5);
});

it('a second identical run makes 0 requests: every row with text is a cache hit, output unchanged', async () => {
  expect(firstProcessed).toBeDefined();
  const before = { ...fake.stats, perSecond: undefined };
  const { status } = await runPipeline();
  expect(status.state).toBe('completed');
  expect(fake.stats.requests).toBe(before.requests);
  expect(fake.stats.tokens).toBe(before.tokens);
  expect(status.llm).toMatchObject({ requests: 0, tokens: 0, costUsd: 0, cacheHits: rowsWithText });

  const rows = await readProcessed(status.outputs.processed);
  const pick = (r: (typeof rows)[number]) => [r.id, r.cleaned_text, r.llm_model, r.status];
  expect(rows.map(pick)).toEqual(firstProcessed.map(pick));
});

it('opens the breaker when the model keeps failing, shows it in the run status, and cleans with fallback_model', async () => {
  fake.setFaults({ failModels: ['test-model'] });
  fake.resetStats();
  try {
    const { status } = await runPipeline('llm_fallback_pipe');
    expect(status.state).toBe('completed');
    expect(status.llm.breaker).toBe('test-model: open');
    expect(fake.stats.byModel.get('test-model')).toBeGreaterThanOrEqual(5);
    expect(fake.stats.byModel.get('fallback-model')).toBeGreaterThan(0);
    const rows = await readProcessed(status.outputs.processed);
    const viaLlm = rows.filter((r) => r.llm_model !== null);
    expect(viaLlm.length).toBeGreaterThan(80);
    expect(viaLlm.every((r) => r.llm_model === 'fallback-model' && r.status === 'cleaned')).toBe(true);
    expect(status.counts.rowsFailed).toBe(0);
  } finally {
    fake.setFaults(undefined);
  }
});
