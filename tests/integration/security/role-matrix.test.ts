/**
 * Every route × {no token, viewer, operator, admin}: 401 without a valid
 * token, 403 below the route's role, and anything but 401/403 (a 2xx, or a
 * 4xx such as 404 for an unknown id) at or above it.
 */
import request from 'supertest';
import { createApp } from '../../../src/api/app';
import type { Role } from '../../../src/config';
import { roleAtLeast } from '../../../src/api/auth';
import { opsRouters } from '../../../src/ops/routers';
import { auth, createHarness, type Harness, TOKENS } from '../../support/harness';

type Caller = 'none' | Role;
type Min = 'open' | Role;
interface Row {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string | (() => string);
  min: Min;
  body?: object;
  /** Status expected once allowed (default: any 2xx). */
  ok?: number[];
}

const CALLERS: Caller[] = ['none', 'viewer', 'operator', 'admin'];
let h: Harness;
let locked: Harness;
// The app as `npm start` builds it: with the operations layer's /metrics and /dashboard.
let app: Harness['app'];
let lockedApp: Harness['app'];
let runId = '';

beforeAll(async () => {
  h = await createHarness();
  locked = await createHarness({ env: { METRICS_REQUIRE_AUTH: 'true' } });
  app = createApp(h.res, { routers: opsRouters(h.res) });
  lockedApp = createApp(locked.res, { routers: opsRouters(locked.res) });
  const r = await request(app).post('/api/runs').set(auth('admin')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 10 } } });
  expect(r.status).toBe(202);
  runId = r.body.runId;
});
afterAll(async () => {
  await h?.close();
  await locked?.close();
});

const ROWS: Row[] = [
  { method: 'get', path: '/healthz', min: 'open' },
  { method: 'get', path: '/readyz', min: 'open' },
  { method: 'get', path: '/metrics', min: 'open' },
  { method: 'get', path: '/api/runs', min: 'viewer' },
  { method: 'post', path: '/api/runs', min: 'operator', body: { pipeline: 'sample_daily', overrides: { options: { rows: 10 } } } },
  { method: 'get', path: () => `/api/runs/${runId}`, min: 'viewer' },
  { method: 'get', path: () => `/api/runs/${runId}/lineage`, min: 'viewer', ok: [200, 404] },
  { method: 'get', path: '/api/pipelines', min: 'viewer' },
  { method: 'get', path: '/api/tasks', min: 'viewer' },
  { method: 'get', path: '/api/sources', min: 'viewer' },
  { method: 'get', path: '/api/datasets', min: 'viewer' },
  { method: 'get', path: '/api/schedules', min: 'viewer' },
  { method: 'put', path: '/api/schedules/sample_daily', min: 'admin', body: { cron: '0 3 * * *' } },
  { method: 'delete', path: '/api/schedules/sample_daily', min: 'admin', ok: [204, 404] },
  { method: 'get', path: '/api/queues', min: 'viewer' },
  { method: 'post', path: '/api/queues/clean/resume', min: 'operator' },
  { method: 'post', path: '/api/queues/notify/pause', min: 'admin' },
  { method: 'get', path: '/api/dlq', min: 'viewer' },
  { method: 'post', path: '/api/dlq/dl-no-such-letter/retry', min: 'operator', ok: [404] },
  { method: 'delete', path: '/api/dlq/dl-no-such-letter', min: 'admin', ok: [404] },
  { method: 'get', path: '/api/llm/budget', min: 'viewer' },
  { method: 'post', path: '/api/llm/budget/reset', min: 'admin' },
  { method: 'get', path: '/dashboard', min: 'viewer' },
  { method: 'get', path: '/admin/queues', min: 'viewer' },
  { method: 'get', path: '/admin/queues/api/queues', min: 'viewer' },
  { method: 'put', path: '/admin/queues/api/queues/clean/resume', min: 'operator' },
  { method: 'put', path: '/admin/queues/api/queues/clean/retry/failed', min: 'operator' },
  { method: 'put', path: '/admin/queues/api/queues/notify/pause', min: 'admin' },
  { method: 'put', path: '/admin/queues/api/queues/clean/clean/completed', min: 'admin' },
];


function expected(row: Row, caller: Caller): 'allowed' | 401 | 403 {
  if (row.min === 'open') return 'allowed';
  if (caller === 'none') return 401;
  return roleAtLeast(caller, row.min) ? 'allowed' : 403;
}

async function call(app: Harness['app'], row: Row, caller: Caller) {
  const p = typeof row.path === 'function' ? row.path() : row.path;
  let req = request(app)[row.method](p);
  if (caller !== 'none') req = req.set(auth(caller));
  return row.body ? req.send(row.body) : req;
}

function check(status: number, body: unknown, row: Row, caller: Caller) {
  const want = expected(row, caller);
  const label = `${row.method.toUpperCase()} ${typeof row.path === 'function' ? row.path() : row.path} as ${caller}`;
  if (want === 'allowed') {
    const ok = row.ok ?? [];
    const good = ok.length ? ok.includes(status) : status >= 200 && status < 300;
    expect({ label, status, good, body: good ? undefined : body }).toEqual({ label, status, good: true, body: undefined });
  } else {
    expect({ label, status }).toEqual({ label, status: want });
    expect((body as { error?: { code?: string } }).error?.code).toBe(want === 401 ? 'unauthorized' : 'forbidden');
  }
}

describe.each(ROWS)('$method $path (min $min)', (row) => {
  it.each(CALLERS)('as %s', async (caller) => {
    const r = await call(app, row, caller);
    check(r.status, r.body, row, caller);
  });
});

describe('credentials', () => {
  it('refuses a wrong token, a Basic header on /api and a token of another scheme with 401', async () => {
    for (const header of ['Bearer not-a-real-token', `Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}`, `Token ${TOKENS.admin}`]) {
      const r = await request(app).get('/api/runs').set('Authorization', header);
      expect({ header, status: r.status }).toEqual({ header, status: 401 });
    }
  });
  it('accepts HTTP Basic with the token as password on Bull Board, any user name', async () => {
    await request(app).get('/admin/queues').auth('anyone', TOKENS.viewer).expect(200);
    const r = await request(app).get('/admin/queues').auth('anyone', 'wrong-password-1');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Basic/);
  });
  it('protects /metrics when METRICS_REQUIRE_AUTH is set (any valid token)', async () => {
    await request(lockedApp).get('/metrics').expect(401);
    await request(lockedApp).get('/metrics').set('Authorization', 'Bearer not-a-real-token').expect(401);
    for (const role of ['viewer', 'operator', 'admin'] as const) await request(lockedApp).get('/metrics').set(auth(role)).expect(200);
    await request(lockedApp).get('/healthz').expect(200);
  });
  it('gives viewers the read-only board and operators the writable one', async () => {
    const v = await request(app).get('/admin/queues').set(auth('viewer')).expect(200);
    expect(v.text).toContain('read-only');
    const o = await request(app).get('/admin/queues').set(auth('operator')).expect(200);
    expect(o.text).not.toContain('read-only');
  });
});
