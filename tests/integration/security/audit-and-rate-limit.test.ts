/**
 * Audit log through the real app (writes and refusals recorded with role and
 * token id, never the token) and the per-token rate limit (429 + Retry-After).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../../src/api/app';
import winston from 'winston';
import { AuditLog, auditFileName, type AuditEntry } from '../../../src/audit/audit-log';
import { tokenId } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { auth, createHarness, type Harness, TOKENS } from '../../support/harness';

describe('audit log', () => {
  let h: Harness;
  let dir: string;
  let audit: AuditLog;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-test-'));
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => logLines.push(...c.toString('utf8').split('\n').filter(Boolean)));
    audit = new AuditLog({ dir, logger: createLogger({ transports: [new winston.transports.Stream({ stream })] }) });
    h = await createHarness({}, { audit });
  });
  afterAll(async () => {
    await h?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const entries = async (): Promise<AuditEntry[]> => {
    await audit.flush();
    const text = await fs.readFile(path.join(dir, auditFileName(new Date().toISOString())), 'utf8');
    return text.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  };

  it('records an operator run, refused requests and nothing for reads', async () => {
    const ok = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 10 } } });
    expect(ok.status).toBe(202);
    await request(h.app).post('/api/runs').set(auth('viewer')).send({ pipeline: 'sample_daily' }).expect(403);
    await request(h.app).delete('/api/schedules/sample_daily').set(auth('operator')).expect(403);
    await request(h.app).get('/api/runs').set('Authorization', 'Bearer not-the-token-123').expect(401);
    await request(h.app).get('/api/runs').set(auth('viewer')).expect(200);
    await request(h.app).get('/admin/queues').auth('me', TOKENS.viewer).expect(200);

    const all = await entries();
    expect(all).toHaveLength(4);
    const [run, viewerPost, opDelete, bad] = all;
    expect(run).toMatchObject({
      role: 'operator',
      tokenId: tokenId(TOKENS.operator),
      method: 'POST',
      route: '/api/runs',
      target: { pipeline: 'sample_daily', runId: ok.body.runId },
      status: 202,
      result: 'ok',
    });
    expect(run!.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(new Date(run!.time).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(viewerPost).toMatchObject({ role: 'viewer', tokenId: tokenId(TOKENS.viewer), status: 403, result: 'refused', reason: 'forbidden' });
    expect(opDelete).toMatchObject({ role: 'operator', route: '/api/schedules/:pipeline', target: { pipeline: 'sample_daily' }, status: 403 });
    expect(bad).toMatchObject({ role: null, tokenId: null, method: 'GET', path: '/api/runs', status: 401, result: 'refused', reason: 'unauthorized' });
  });

  it('never writes a token, to the file or to the log', async () => {
    await audit.flush();
    const text = (await Promise.all((await audit.files()).map((f) => fs.readFile(path.join(dir, f), 'utf8')))).join('');
    const logs = logLines.join('\n');
    for (const t of [...Object.values(TOKENS), 'not-the-token-123']) {
      expect(text).not.toContain(t);
      expect(logs).not.toContain(t);
    }
    // The logger line names the token by its id (as `actor`, since keys named like "token" are masked).
    expect(logs).toContain(`"actor":"${tokenId(TOKENS.operator)}"`);
    expect(logs).toContain('"message":"audit"');
  });

  it('records Bull Board writes with queue and job', async () => {
    await request(h.app).put('/admin/queues/api/queues/clean/resume').auth('me', TOKENS.operator).set('Origin', 'http://evil.example').expect(403);
    await request(h.app).put('/admin/queues/api/queues/clean/resume').set(auth('operator')).expect(200);
    const last = (await entries()).slice(-2);
    expect(last[0]).toMatchObject({ role: 'operator', status: 403, reason: 'csrf', target: { queue: 'clean' } });
    expect(last[1]).toMatchObject({ role: 'operator', status: 200, result: 'ok', route: '/admin/queues/api/queues/:queue/resume' });
  });
});

describe('default audit location', () => {
  it('writes under <dataDir>/audit without being told', async () => {
    const h = await createHarness();
    try {
      await request(h.app).post('/api/runs').set(auth('viewer')).send({ pipeline: 'sample_daily' }).expect(403);
      const file = path.join(h.dataDir, 'audit', auditFileName(new Date().toISOString()));
      const deadline = Date.now() + 5000;
      let text = '';
      while (!text.includes('"status":403') && Date.now() < deadline) {
        text = await fs.readFile(file, 'utf8').catch(() => '');
        if (!text) await new Promise((r) => setTimeout(r, 20));
      }
      expect(JSON.parse(text.trim().split('\n')[0]!)).toMatchObject({ role: 'viewer', status: 403 });
    } finally {
      await h.close();
    }
  });
});

describe('rate limit', () => {
  let h: Harness;
  let dir: string;
  let audit: AuditLog;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-rl-'));
    audit = new AuditLog({ dir, logger: createLogger({ transports: [new winston.transports.Stream({ stream: new PassThrough() })] }) });
    h = await createHarness({ env: { API_RATE_LIMIT_PER_MIN: '5' } }, { audit });
  });
  afterAll(async () => {
    await h?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once a token exceeds its limit', async () => {
    for (let i = 0; i < 5; i++) await request(h.app).get('/api/pipelines').set(auth('viewer')).expect(200);
    const r = await request(h.app).get('/api/pipelines').set(auth('viewer'));
    expect(r.status).toBe(429);
    expect(r.body.error).toEqual({ code: 'rate_limited', message: expect.stringMatching(/5 requests per minute/) });
    const retryAfter = Number(r.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(r.headers['ratelimit-policy']).toMatch(/q=5/);
    expect(r.headers['ratelimit']).toMatch(/r=0/);
  });

  it('shares the count between API replicas through Redis', async () => {
    // A second app on the same Redis prefix, as a second API process would be.
    const replica = createApp(h.res, { audit });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await request(i % 2 ? replica : h.app).get('/api/pipelines').set(auth('admin'))).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts per token: another token is still served, health probes are never limited', async () => {
    await request(h.app).get('/api/pipelines').set(auth('operator')).expect(200);
    for (let i = 0; i < 8; i++) await request(h.app).get('/healthz').expect(200);
  });

  it('limits guessing by IP when no valid token is presented, and audits the 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await request(h.app).get('/api/runs').set('Authorization', `Bearer guess-${i}-xxxxxxxx`)).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    await audit.flush();
    const text = await fs.readFile(path.join(dir, auditFileName(new Date().toISOString())), 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.filter((l) => l.status === 429 && l.role === 'viewer')).toHaveLength(1);
    expect(lines.filter((l) => l.status === 429 && l.role === null)).toHaveLength(2);
    expect(text).not.toContain('guess-');
  });
});
