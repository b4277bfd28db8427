/**
 * Hostile requests: path traversal in every path-like field, oversized
 * bodies, wrong content types, deep JSON, unicode tricks, invalid cron and a
 * YAML bomb task. Each gets a clean 4xx JSON error, the server stays up, and
 * no file outside the data folder is created or changed (a canary folder,
 * the target of the traversal payloads, is compared before and after).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { auth, createHarness, type Harness, TOKENS } from '../../support/harness';

const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => {
    const prev = 'abcdefghi'[i]!;
    return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  'task_name: bomb',
  'engine: rules',
].join('\n');
const TAGGED = 'task_name: tagged\nengine: rules\ndescription: !!js/function "function () { return 1 }"\n';

let h: Harness;
let root: string;
let canary: string;
let before: Map<string, string>;

/** path → "size:mtime" of every entry under `dir`. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    const st = await fs.lstat(p);
    out.set(path.relative(dir, p), `${st.size}:${st.mtimeMs}`);
  }
  return out;
}

beforeAll(async () => {
  h = await createHarness({ extraTasks: { bomb: BOMB, tagged: TAGGED } });
  root = path.dirname(h.dataDir);
  canary = path.join(root, 'canary');
  await fs.mkdir(canary);
  await fs.writeFile(path.join(canary, 'secret.csv'), 'id,text\n1,do not read me\n');
  await fs.writeFile(path.join(canary, 'evil.yaml'), 'task_name: evil\nengine: rules\n');
  await fs.symlink(path.join(canary, 'evil.yaml'), path.join(h.resourcesDir, 'tasks', 'escape.yaml'));
  await fs.symlink(path.join(canary, 'secret.csv'), path.join(h.dataDir, 'inbox', 'escape.csv'));
  // Everything outside data/: the canary and the resources copy.
  before = new Map([...(await snapshot(root))].filter(([p]) => p !== 'data' && !p.startsWith(`data${path.sep}`)));
});
afterAll(async () => {
  await h?.close();
});

type Send = () => request.Test;
interface Case {
  name: string;
  send: Send;
  status: number | number[];
  message?: RegExp;
}

const post = (body: unknown, role: 'operator' | 'admin' = 'operator') => () => request(h.app).post('/api/runs').set(auth(role)).send(body as object);
const run = (overrides: object) => post({ pipeline: 'sample_daily', overrides });
const inbox = (options: object) => post({ pipeline: 'inbox_reviews', overrides: { options } });
const putCron = (body: object, pipeline = 'sample_daily') => () => request(h.app).put(`/api/schedules/${pipeline}`).set(auth('admin')).send(body);
const get = (url: string) => () => request(h.app).get(url).set(auth('viewer'));
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const boardPut = (url: string) => request(h.app).put(`/admin/queues/api/queues/${url}`);

const CASES: Case[] = [
  // Path traversal: task names, pipeline names, path parameters, file collector paths, dataset paths.
  { name: 'task ../../canary/evil', send: run({ task: '../../canary/evil' }), status: 400, message: /task/ },
  { name: 'task /etc/passwd', send: run({ task: '/etc/passwd' }), status: 400, message: /task/ },
  { name: 'task ..\\..\\canary\\evil', send: run({ task: '..\\..\\canary\\evil' }), status: 400 },
  { name: 'task normalize_text/../../x', send: run({ task: 'normalize_text/../../x' }), status: 400 },
  { name: 'task symlinked outside the tasks folder', send: run({ task: 'escape' }), status: 400, message: /outside/ },
  { name: 'pipeline ../../etc/passwd', send: post({ pipeline: '../../etc/passwd' }), status: 400, message: /pipeline/ },
  { name: 'options.path ../../canary/secret.csv', send: inbox({ path: '../../canary/secret.csv' }), status: 400, message: /options\.path/ },
  { name: 'options.path ../../../etc/passwd', send: inbox({ path: '../../../etc/passwd' }), status: 400, message: /\.\./ },
  { name: 'options.path /etc/passwd', send: inbox({ path: '/etc/passwd' }), status: 400, message: /relative/ },
  { name: 'options.path absolute canary', send: () => inbox({ path: path.join(canary, 'secret.csv') })(), status: 400 },
  { name: 'options.path C:\\Windows\\win.ini', send: inbox({ path: 'C:\\Windows\\win.ini' }), status: 400 },
  { name: 'options.path glob **/../../*.csv', send: inbox({ path: '**/../../*.csv' }), status: 400 },
  { name: 'options.path with NUL', send: inbox({ path: 'example_reviews.csv\u0000.png' }), status: 400 },
  { name: 'schedule path param ..%2F..%2Fetc', send: putCron({ cron: '0 3 * * *' }, '..%2F..%2Fetc%2Fpasswd'), status: 400 },
  { name: 'delete schedule ..%2Fx', send: () => request(h.app).delete('/api/schedules/..%2Fcanary').set(auth('admin')), status: 400 },
  { name: 'run id ..%2F..%2Fetc%2Fpasswd', send: get('/api/runs/..%2F..%2Fetc%2Fpasswd'), status: 400, message: /runId/ },
  { name: 'lineage of %2e%2e%2fcanary', send: get('/api/runs/%2e%2e%2fcanary/lineage'), status: 400 },
  { name: 'queue name ..%2Fclean', send: () => request(h.app).post('/api/queues/..%2Fclean/resume').set(auth('admin')), status: 400 },
  { name: 'dead letter id ..%2F..%2Fx', send: () => request(h.app).post('/api/dlq/..%2F..%2Fx/retry').set(auth('admin')), status: [400, 404] },
  { name: 'dataset path ../../canary/secret.csv', send: get(`/api/datasets?path=${encodeURIComponent('../../canary/secret.csv')}`), status: 404 },
  // Oversized bodies.
  { name: '2 MB run body', send: post({ pipeline: 'sample_daily', pad: 'x'.repeat(2_000_000) }), status: 413, message: /too large/i },
  { name: '200 kB schedule body', send: putCron({ cron: '0 3 * * *', pad: 'y'.repeat(200_000) }), status: 413 },
  {
    name: '2 MB Bull Board update-data',
    send: () => boardPut('clean/1/update-data').set(auth('admin')).send({ data: 'z'.repeat(2_000_000) }),
    status: 413,
  },
  // Wrong content types.
  { name: 'text/plain run', send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'text/plain').send('{"pipeline":"sample_daily"}'), status: 415 },
  { name: 'form-encoded run', send: () => request(h.app).post('/api/runs').set(auth('operator')).type('form').send('pipeline=sample_daily'), status: 415 },
  { name: 'multipart run', send: () => request(h.app).post('/api/runs').set(auth('operator')).field('pipeline', 'sample_daily'), status: 415 },
  { name: 'xml schedule', send: () => request(h.app).put('/api/schedules/sample_daily').set(auth('admin')).set('Content-Type', 'text/xml').send('<cron/>'), status: 415 },
  {
    name: 'UTF-16 JSON',
    send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json; charset=utf-16').send('{"pipeline":"sample_daily"}'),
    status: 415,
  },
  { name: 'malformed JSON', send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json').send('{"pipeline": '), status: 400 },
  { name: 'form post to Bull Board', send: () => boardPut('clean/resume').set(auth('operator')).type('form').send('a=1'), status: 415 },
  // Deep JSON and prototype keys.
  { name: 'JSON 21 levels deep', send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json').send(nested(21)), status: 400, message: /deeper than 20/ },
  { name: 'JSON 50,000 levels deep', send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json').send(nested(50_000)), status: 400, message: /deeper/ },
  {
    name: 'deep options override',
    send: run({ options: JSON.parse(`${'{"a":'.repeat(25)}1${'}'.repeat(25)}`) as object }),
    status: 400,
    message: /deeper/,
  },
  { name: 'deep JSON to Bull Board', send: () => boardPut('clean/1/update-data').set(auth('admin')).set('Content-Type', 'application/json').send(`{"data":${nested(30)}}`), status: 400 },
  {
    name: '__proto__ key in options',
    send: () => request(h.app).post('/api/runs').set(auth('operator')).set('Content-Type', 'application/json').send('{"pipeline":"sample_daily","overrides":{"options":{"__proto__":{"rows":1}}}}'),
    status: 400,
    message: /__proto__/,
  },
  { name: 'constructor key in options', send: run({ options: { constructor: { prototype: {} } } }), status: 400, message: /constructor/ },
  // Unicode tricks.
  { name: 'pipeline with NUL', send: post({ pipeline: 'sample_daily\u0000' }), status: 400, message: /U\+0000/ },
  { name: 'pipeline with RTL override', send: post({ pipeline: 'sample\u202Edaily' }), status: 400, message: /U\+202E/ },
  { name: 'fullwidth pipeline name', send: post({ pipeline: 'ｓａｍｐｌｅ_daily' }), status: 400, message: /pipeline/ },
  { name: 'Cyrillic homoglyph pipeline', send: post({ pipeline: 's\u0430mple_daily' }), status: 400, message: /pipeline/ },
  { name: 'overlong pipeline name', send: post({ pipeline: 'p'.repeat(5000) }), status: 400, message: /pipeline/ },
  { name: 'overlong task name', send: run({ task: 't'.repeat(65) }), status: 400, message: /task/ },
  { name: 'task with zero-width joiner', send: run({ task: 'normalize\u200Dtext' }), status: 400 },
  { name: 'NUL in URL path', send: () => request(h.app).put('/api/schedules/sample%00daily').set(auth('admin')).send({ cron: '0 3 * * *' }), status: 400, message: /U\+0000/ },
  { name: 'RTL override in query', send: get('/api/datasets?pipeline=%E2%80%AElive'), status: 400, message: /U\+202E/ },
  { name: 'malformed percent-encoding', send: get('/api/runs/%E0%A4%A'), status: 400 },
  { name: 'NUL in query number', send: get('/api/runs?limit=5%00'), status: 400 },
  { name: 'bidi isolate in tz', send: putCron({ cron: '0 3 * * *', tz: 'Europe/Berlin\u2066' }), status: 400, message: /U\+2066/ },
  // Invalid cron and schedules.
  { name: 'cron "not a cron"', send: putCron({ cron: 'not a cron' }), status: 400, message: /cron/ },
  { name: 'cron minute 99', send: putCron({ cron: '99 * * * *' }), status: 400, message: /cron/ },
  { name: 'cron with 7 fields', send: putCron({ cron: '* * * * * * *' }), status: 400, message: /cron/ },
  { name: 'empty cron', send: putCron({ cron: '' }), status: 400, message: /cron/ },
  { name: 'overlong cron', send: putCron({ cron: '*/1 '.repeat(100) }), status: 400, message: /cron/ },
  { name: 'unknown time zone', send: putCron({ cron: '0 3 * * *', tz: 'Mars/Olympus_Mons' }), status: 400, message: /time zone/ },
  { name: 'cron and every together', send: putCron({ cron: '0 3 * * *', every: 60_000 }), status: 400 },
  { name: 'every of 1 ms', send: putCron({ every: 1 }), status: 400, message: /every/ },
  { name: 'schedule for an unknown pipeline', send: putCron({ cron: '0 3 * * *' }, 'no_such_pipeline'), status: [400, 404] },
  // Task files that must not load.
  { name: 'YAML bomb task', send: run({ task: 'bomb' }), status: 400, message: /bomb\.yaml.*alias/ },
  { name: 'task with a !!js/function tag', send: run({ task: 'tagged' }), status: 400, message: /tagged\.yaml.*tag/ },
  // Browser writes from another site (HTTP Basic is resent by browsers automatically).
  {
    name: 'cross-site retry on Bull Board',
    send: () => boardPut('clean/retry/failed').auth('u', TOKENS.operator).set('Origin', 'http://evil.example').set('Sec-Fetch-Site', 'cross-site'),
    status: 403,
    message: /cross-site/,
  },
  { name: 'Basic write without Origin', send: () => boardPut('clean/resume').auth('u', TOKENS.operator), status: 403, message: /Origin/ },
];

describe('hostile requests', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name → clean 4xx', async (c) => {
    const r = await c.send();
    const statuses = Array.isArray(c.status) ? c.status : [c.status];
    expect({ name: c.name, status: r.status }).toEqual({ name: c.name, status: statuses.includes(r.status) ? r.status : statuses[0] });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    if (c.message) expect(r.body.error.message).toMatch(c.message);
    expect(JSON.stringify(r.body)).not.toMatch(/\n\s+at |do not read me|root:x:0/);
  });

  it('stays up and touched nothing outside the data folder', async () => {
    await request(h.app).get('/healthz').expect(200);
    await request(h.app).get('/api/pipelines').set(auth('viewer')).expect(200);
    const after = new Map([...(await snapshot(root))].filter(([p]) => p !== 'data' && !p.startsWith(`data${path.sep}`)));
    expect(after).toEqual(before);
    expect(await h.res.runs.list(100, 0)).toEqual([]);
  });

  it('does not serve files outside Bull Board static folder', async () => {
    for (const p of ['/admin/queues/static/..%2F..%2F..%2F..%2Fpackage.json', '/admin/queues/static/../../../package.json']) {
      const r = await request(h.app).get(p).set(auth('viewer'));
      expect({ p, status: r.status >= 400 && r.status < 500 }).toEqual({ p, status: true });
      expect(r.text).not.toContain('"name": "@bull-board');
    }
  });
});

describe('symlink escape through the file collector', () => {
  // The collector's preflight resolves the path when the run is queued, so the link is refused at once.
  it('refuses the run with a 400 naming the path, and reads nothing outside the inbox', async () => {
    const r = await request(h.app)
      .post('/api/runs')
      .set(auth('operator'))
      .send({ pipeline: 'inbox_reviews', overrides: { options: { path: 'escape.csv' } } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/escape\.csv.*resolves outside the inbox/);
    const raw = await fs.readdir(path.join(h.dataDir, 'raw')).catch(() => [] as string[]);
    expect(raw).toEqual([]);
  });
});
