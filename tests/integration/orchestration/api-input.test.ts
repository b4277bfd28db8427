/** Bad input gets a clear 4xx JSON error and the server stays up. */
import request from 'supertest';
import { auth, createHarness, type Harness } from '../../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const expectError = (body: { error?: { code?: string; message?: string } }, message: RegExp) => {
  expect(body.error?.code).toEqual(expect.any(String));
  expect(body.error?.message).toMatch(message);
};

describe('POST /api/runs with bad input', () => {
  it('refuses malformed JSON', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json').send('{"pipeline": ');
    expect(r.status).toBe(400);
    expectError(r.body, /not valid JSON/);
  });
  it('answers 404 for an unknown pipeline, naming it', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'nope_pipeline' });
    expect(r.status).toBe(404);
    expectError(r.body, /nope_pipeline/);
  });
  it('refuses wrong types and unknown fields, naming the field', async () => {
    const r1 = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 42 });
    expect(r1.status).toBe(400);
    expectError(r1.body, /body\.pipeline/);
    const r2 = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { chunk_size: 'big' } });
    expect(r2.status).toBe(400);
    expectError(r2.body, /overrides\.chunk_size/);
    const r3 = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', extra: true });
    expect(r3.status).toBe(400);
    expectError(r3.body, /extra/);
  });
  it('validates option overrides with the collector schema', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: -5 } } });
    expect(r.status).toBe(400);
    expectError(r.body, /rows/);
  });
  it('refuses an unknown task override', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { task: 'no_such_task' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expectError(r.body, /no_such_task/);
  });
  it('refuses a huge body with 413', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', pad: 'x'.repeat(2_000_000) });
    expect(r.status).toBe(413);
    expectError(r.body, /too large/i);
  });
  it('refuses a non-JSON content type with 415', async () => {
    const r = await request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'text/plain').send('pipeline=sample_daily');
    expect(r.status).toBe(415);
  });
  it('stays up afterwards', async () => {
    await request(h.app).get('/healthz').expect(200);
    const r = await request(h.app).get('/api/pipelines').set(auth('viewer')).expect(200);
    expect(r.body.pipelines.map((p: { name: string }) => p.name)).toContain('sample_daily');
  });
  it('answers unknown runs and routes with 404 JSON', async () => {
    const r = await request(h.app).get('/api/runs/no-such-run-123').set(auth('viewer'));
    expect(r.status).toBe(404);
    expectError(r.body, /no-such-run-123/);
    const r2 = await request(h.app).get('/api/nothing-here').set(auth('viewer'));
    expect(r2.status).toBe(404);
  });
});

describe('auth slot', () => {
  it('answers 401 without a token and 403 for the wrong role', async () => {
    await request(h.app).get('/api/runs').expect(401);
    await request(h.app).get('/api/runs').set('Authorization', 'Bearer wrong-token-000').expect(401);
    await request(h.app).post('/api/runs').set(auth('viewer')).send({ pipeline: 'sample_daily' }).expect(403);
    await request(h.app).put('/api/schedules/sample_daily').set(auth('operator')).send({ cron: '0 3 * * *' }).expect(403);
  });
});

describe('GET /api/tasks and /api/sources', () => {
  it('lists tasks and sources', async () => {
    const t = await request(h.app).get('/api/tasks').set(auth('viewer')).expect(200);
    expect(t.body.tasks.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['normalize_text', 'llm_clean_text']));
    const s = await request(h.app).get('/api/sources').set(auth('viewer')).expect(200);
    expect(s.body.sources.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['sample', 'file', 'http', 'tmdb']));
  });
});
