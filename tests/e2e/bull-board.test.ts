/**
 * Bull Board in a real browser (Debian chromium driven by playwright-core):
 * a viewer logs in with HTTP Basic, opens a completed run and its chunk
 * children, and cannot retry (no buttons, and the API answers 403); an
 * operator sees the actions and retries a failed job from the UI. A page on
 * another origin cannot make the browser write. Screenshots go to
 * tests/e2e/artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import request from 'supertest';
import { auth, createHarness, type Harness, TOKENS } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(__dirname, 'artifacts');
const RETRY_ICON = 'button:has(svg.lucide-refresh-cw)';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Visible in the test output; CI installs chromium in .ci/run.
  console.warn(`SKIPPED tests/e2e/bull-board.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}
const suite = haveChromium ? describe : describe.skip;

suite(haveChromium ? 'Bull Board in a browser' : `Bull Board in a browser (skipped: ${CHROMIUM} is missing)`, () => {
  let h: Harness;
  let server: http.Server;
  let evil: http.Server;
  let base: string;
  let browser: Browser;
  let runId: string;
  let failedJobId: string;

  const login = (role: keyof typeof TOKENS): Promise<BrowserContext> =>
    browser.newContext({ httpCredentials: { username: role, password: TOKENS[role] }, viewport: { width: 1280, height: 900 } });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await createHarness();
    const workers = h.startWorkers();
    const r = await request(h.app).post('/api/runs').set(auth('operator')).send({ pipeline: 'sample_daily', overrides: { options: { rows: 40 }, chunk_size: 10 } });
    expect(r.status).toBe(202);
    runId = r.body.runId;
    expect((await h.waitForRun(runId, 30_000)).state).toBe('completed');
    // A job that fails at once (unknown housekeeping task), for the operator to retry.
    const bad = await h.res.queues.maintenance.add('e2e-unknown-task', { task: 'e2e-unknown-task' }, { attempts: 1 });
    failedJobId = bad.id!;
    const deadline = Date.now() + 10_000;
    while ((await bad.getState()) !== 'failed') {
      if (Date.now() > deadline) throw new Error('the bogus job did not fail');
      await new Promise((res) => setTimeout(res, 50));
    }
    // No workers from here on, so a retried job stays waiting where the test can see it.
    await workers.close();
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((res) => server.once('listening', res));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    evil?.close();
    await h?.close();
  });

  it('viewer: read-only board, sees the completed run and its children, cannot retry', async () => {
    const ctx = await login('viewer');
    const page = await ctx.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${base}/admin/queues/queue/pipeline?status=completed`);
    await page.getByText('DataOps (read-only)').first().waitFor();
    await page.getByText(runId).first().waitFor();
    expect(await page.getByText('Retry all').count()).toBe(0);

    await page.goto(`${base}/admin/queues/queue/pipeline/${runId}`);
    await page.getByText('Job flow').waitFor();
    await page.locator('.react-flow__node').nth(4).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(5); // the run and its 4 chunks
    expect(await page.locator('.react-flow__node', { hasText: 'clean' }).count()).toBe(4);
    await page.getByText('4 done').first().waitFor();
    expect(await page.locator(RETRY_ICON).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-run-flow.png'), fullPage: true });

    await page.goto(`${base}/admin/queues/queue/maintenance?status=failed`);
    await page.getByText('e2e-unknown-task').first().waitFor();
    expect(await page.locator(RETRY_ICON).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-failed.png'), fullPage: true });

    // Even a hand-made request from the page (same origin, credentials attached) is refused.
    const status = await page.evaluate(
      async (url) => (await fetch(url, { method: 'PUT', credentials: 'same-origin' })).status,
      `${base}/admin/queues/api/queues/maintenance/${failedJobId}/retry`,
    );
    expect(status).toBe(403);
    expect(await h.res.queues.maintenance.getJobState(failedJobId)).toBe('failed');
    // The board's CSP (helmet, per area) lets the UI run without violations.
    expect(cspViolations).toEqual([]);
    await ctx.close();
  });

  it('operator: sees the actions and retries a failed job from the UI', async () => {
    const ctx = await login('operator');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin/queues/queue/pipeline/${runId}`);
    await page.getByText('Job flow').waitFor();
    await page.locator(RETRY_ICON).first().waitFor();

    await page.goto(`${base}/admin/queues/queue/maintenance?status=failed`);
    await page.getByText('e2e-unknown-task').first().waitFor();
    await page.getByText('Retry all').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'operator-failed.png'), fullPage: true });
    // The job card's retry icon (the header's "Retry all" carries the same icon).
    await page.locator(RETRY_ICON).filter({ hasNotText: 'Retry all' }).first().click();
    const retried = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/maintenance/${failedJobId}/retry`));
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await retried).status()).toBe(204);
    expect(await h.res.queues.maintenance.getJobState(failedJobId)).toBe('waiting');
    await page.screenshot({ path: path.join(ARTIFACTS, 'operator-after-retry.png'), fullPage: true });
    await ctx.close();
  });

  it('a page on another origin cannot make the browser write, even for an admin', async () => {
    // The attacker's page auto-submits a form to the board; the browser would attach the Basic credentials.
    evil = http.createServer((_req, reply) => {
      reply.setHeader('content-type', 'text/html');
      reply.end(`<form method="POST" action="${base}/admin/queues/api/queues/notify/add"><input name="name" value="x"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((res) => evil.listen(0, '127.0.0.2', () => res()));
    const ctx = await login('admin');
    await ctx.newPage().then((p) => p.goto(`${base}/admin/queues`)); // credentials cached for the board
    const page = await ctx.newPage();
    const answer = page.waitForResponse((r) => r.url().endsWith('/notify/add'));
    await page.goto(`http://127.0.0.2:${(evil.address() as AddressInfo).port}/`);
    const r = await answer;
    expect(r.status()).toBe(403);
    expect(await r.text()).toMatch(/cross-site write refused/);
    expect(await h.res.queues.notify.count()).toBe(0);
    await ctx.close();
  });
});
