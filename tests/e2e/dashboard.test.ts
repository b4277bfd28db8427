/**
 * Browser test: headless Chromium opens /dashboard (HTTP Basic, token as
 * password) after real runs and checks that the SVG charts show the real
 * numbers: bars per day and outcome, totals, success rate, rows, queue
 * depths, the latest runs with Bull Board links, and escaped values. Saves a
 * screenshot to tests/e2e/artifacts/dashboard.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { opsRouters } from '../../src/ops/routers';
import { auth, createHarness, TOKENS, type Harness } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(__dirname, 'artifacts');
const haveChromium = existsSync(CHROMIUM);
const browserIt = haveChromium ? it : it.skip;
if (!haveChromium) process.stderr.write(`dashboard browser test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)\n`);

let h: Harness;
let server: Server;
let base: string;
let browser: Browser | undefined;
const day = (offset: number) => new Date(Date.now() - offset * 24 * 3600 * 1000).toISOString().slice(5, 10);

beforeAll(async () => {
  h = await createHarness({
    extraPipelines: ['  missing_file:', '    source: file', '    options: { path: "nothing-matches-*.csv" }', '    task: normalize_text', '    output: never'].join('\n'),
  });
  h.startWorkers();
  const app = createApp(h.res, { routers: opsRouters(h.res) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await h?.close();
});

browserIt(`${'renders runs, rates, rows and queues as SVG with the real numbers'}${haveChromium ? '' : ` (skipped: ${CHROMIUM} missing)`}`, async () => {
  // Two completed runs and one failed run today...
  const ids: string[] = [];
  for (const body of [
    { pipeline: 'sample_daily', overrides: { options: { rows: 120 }, chunk_size: 60 } },
    { pipeline: 'sample_daily', overrides: { options: { rows: 80 }, chunk_size: 40 } },
    { pipeline: 'missing_file' },
  ]) {
    ids.push((await request(base).post('/api/runs').set(auth('operator')).send(body).expect(202)).body.runId);
  }
  const finals = await Promise.all(ids.map((id) => h.waitForRun(id)));
  expect(finals.map((f) => f.state)).toEqual(['completed', 'completed', 'failed']);
  // ...and one completed run two days ago, whose pipeline name tries to inject markup.
  const evil = '<script>window.pwned=1</script>';
  await h.res.runs.create({ runId: 'old-run-1', pipeline: evil, trigger: 'cli', createdAt: new Date(Date.now() - 2 * 24 * 3600 * 1000) });
  await h.res.runs.setState('old-run-1', 'completed');

  await request(base).get('/dashboard').expect(401).expect('www-authenticate', /Basic/);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKENS.viewer }, viewport: { width: 1280, height: 1400 } });
  const page = await context.newPage();
  const resp = await page.goto(`${base}/dashboard`);
  expect(resp!.status()).toBe(200);

  // Runs chart: today = 2 completed + 1 failed (two segments), two days ago = 1 completed.
  const bars = page.locator('#runs-chart rect.bar');
  expect(await bars.count()).toBe(3);
  const seg = (label: string, series: string) => page.locator(`#runs-chart rect.bar[data-label="${label}"][data-series="${series}"]`);
  expect(await seg(day(0), 'completed').getAttribute('data-value')).toBe('2');
  expect(await seg(day(0), 'failed').getAttribute('data-value')).toBe('1');
  expect(await seg(day(2), 'completed').getAttribute('data-value')).toBe('1');
  expect(await page.locator(`#runs-chart text.total[data-label="${day(0)}"]`).textContent()).toBe('3');
  expect(await page.locator(`#runs-chart text.total[data-label="${day(2)}"]`).textContent()).toBe('1');
  expect(await page.locator(`#runs-chart text.total[data-label="${day(1)}"]`).textContent()).toBe('0');
  // Rendered geometry: today's stack is three times as tall as the older bar.
  const height = async (label: string) => {
    let sum = 0;
    for (const b of await page.locator(`#runs-chart rect.bar[data-label="${label}"]`).all()) sum += (await b.boundingBox())!.height;
    return sum;
  };
  expect((await height(day(0))) / (await height(day(2)))).toBeCloseTo(3, 1);

  expect(await page.locator('#success-rate').textContent()).toBe('75.0%');
  expect(await page.locator('#total-completed').textContent()).toBe('3');
  expect(await page.locator('#total-failed').textContent()).toBe('1');
  const rows = finals[0]!.counts.rowsCleaned + finals[0]!.counts.rowsFailed + finals[1]!.counts.rowsCleaned + finals[1]!.counts.rowsFailed;
  expect(rows).toBe(200);
  expect(await page.locator(`#rows-chart text.total[data-label="${day(0)}"]`).textContent()).toBe('200');
  expect(await page.locator('#tokens-chart rect.bar').count()).toBe(0);

  // Queue depths: every queue listed; nothing is waiting any more.
  expect(await page.locator('#queues tr.queue').count()).toBe(5);
  expect(await page.locator('#queues tr.queue[data-queue="clean"] td[data-state="waiting"]').textContent()).toBe('0');

  // Latest runs with links to Bull Board and the status API.
  expect(await page.locator('#latest-runs tr.run').count()).toBe(4);
  const failedRow = page.locator(`#latest-runs tr.run[data-run="${ids[2]}"]`);
  expect(await failedRow.locator('a.state').getAttribute('href')).toBe('/admin/queues/queue/pipeline?status=failed');
  expect(await failedRow.locator('td').first().locator('a').getAttribute('href')).toBe(`/admin/queues/queue/pipeline/${ids[2]}`);
  expect(await failedRow.locator('td.err').textContent()).toMatch(/nothing-matches/);
  const okRow = page.locator(`#latest-runs tr.run[data-run="${ids[0]}"]`);
  expect(await okRow.locator(`a[href="/api/runs/${ids[0]}"]`).count()).toBe(1);
  expect(await okRow.textContent()).toContain(`${ids[0]}.json`);

  // Escaped: the injected name shows as text and never runs.
  expect(await page.locator('script').count()).toBe(0);
  expect(await page.evaluate("typeof window.pwned")).toBe("undefined");
  expect(await page.locator('#latest-runs tr.run[data-run="old-run-1"] td').nth(1).textContent()).toBe(evil);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  expect(existsSync(path.join(ARTIFACTS, 'dashboard.png'))).toBe(true);
}, 120_000);
