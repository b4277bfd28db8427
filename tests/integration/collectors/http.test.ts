/** The `http` collector against a real loopback API: pagination styles, retries, timeouts, secrets. */
import { Writable } from 'node:stream';
import winston from 'winston';
import type { RetryInfo } from '../../../src/collectors/types';
import { NonRetryableError, RateLimitedError } from '../../../src/errors';
import { createLogger, silentLogger, type Logger } from '../../../src/logger';
import { collectAll } from '../../support/collector-conformance';
import { startFakeHttpApi, type FakeHttpApi } from '../../support/fake-http-api';

let api: FakeHttpApi;
beforeEach(async () => {
  api = await startFakeHttpApi({ items: 95 });
});
afterEach(async () => {
  await api.close();
});

const fields = { id: 'id', text: 'attributes.body', created_at: 'created' };
function ctx(over: { env?: Record<string, string>; logger?: Logger; retries?: RetryInfo[]; signal?: AbortSignal } = {}) {
  return { logger: over.logger ?? silentLogger(), env: over.env ?? {}, dataDir: '/nonexistent', signal: over.signal, onRetry: (i: RetryInfo) => over.retries?.push(i) };
}
const pageOpts = (extra: Record<string, unknown> = {}) => ({ url: `${api.url}/page`, items_path: 'data.items', fields, pagination: { style: 'page', page_size: 10 }, retry_base_ms: 20, ...extra });

describe('pagination', () => {
  it('page style reads every item exactly once', async () => {
    const rows = await collectAll('http', pageOpts(), ctx());
    expect(rows.map((r) => r.id)).toEqual(api.items.map((i) => i.id));
    expect(api.requests.map((r) => r.query.page)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(rows[0]).toEqual({ id: 1, raw_text: api.items[0]!.attributes.body, created_at: new Date(api.items[0]!.created), metadata: { score: 0 } });
    expect(rows[9]!.raw_text).toBeNull();
  });

  it('offset style reads every item exactly once, ending on an empty page when the size divides the total', async () => {
    await api.close();
    api = await startFakeHttpApi({ items: 100 });
    const rows = await collectAll('http', { url: `${api.url}/offset`, items_path: 'items', fields, pagination: { style: 'offset', page_size: 25 } }, ctx());
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.id)).size).toBe(100);
    expect(api.requests.map((r) => r.query.offset)).toEqual(['0', '25', '50', '75', '100']);
    expect(api.requests.every((r) => r.query.limit === '25')).toBe(true);
  });

  it('cursor style follows the cursor until it is null', async () => {
    const rows = await collectAll('http', { url: `${api.url}/cursor`, items_path: 'results', fields, pagination: { style: 'cursor', cursor_path: 'paging.next', page_size: 20 } }, ctx());
    expect(rows.map((r) => r.id)).toEqual(api.items.map((i) => i.id));
    expect(api.requests).toHaveLength(5);
    expect(api.requests[0]!.query.cursor).toBeUndefined();
  });

  it('style none reads a bare array once, with chosen metadata paths', async () => {
    const rows = await collectAll('http', { url: `${api.url}/all`, fields: { text: 'attributes.body', metadata: ['attributes.lang', 'score'] } }, ctx());
    expect(rows).toHaveLength(95);
    expect(rows[1]).toEqual({ raw_text: api.items[1]!.attributes.body, metadata: { 'attributes.lang': 'ko', score: 1 } });
  });

  it('stops at max_pages and says so in the log', async () => {
    const lines: string[] = [];
    const logger = captureLogger(lines);
    const rows = await collectAll('http', pageOpts({ pagination: { style: 'page', page_size: 10, max_pages: 3 } }), ctx({ logger }));
    expect(rows).toHaveLength(30);
    expect(lines.join('\n')).toContain('max_pages');
  });
});

describe('retries', () => {
  it('honours Retry-After seconds on a 429 and then succeeds', async () => {
    api.faults.inject({ kind: 'status', status: 429, retryAfter: '1' }, { match: (r) => r.query.page === '2' });
    const retries: RetryInfo[] = [];
    const rows = await collectAll('http', pageOpts(), ctx({ retries }));
    expect(rows).toHaveLength(95);
    const page2 = api.requests.filter((r) => r.query.page === '2');
    expect(page2).toHaveLength(2);
    const waited = page2[1]!.at - page2[0]!.at;
    console.log(`429 Retry-After: 1 → waited ${waited} ms`);
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(retries).toEqual([{ attempt: 1, waitMs: 1000, error: expect.stringContaining('HTTP 429') }]);
  });

  it('retries two 500s and then succeeds', async () => {
    api.faults.inject({ kind: 'status', status: 500 }, { times: 2, match: (r) => r.query.page === '1' });
    const retries: RetryInfo[] = [];
    const rows = await collectAll('http', pageOpts(), ctx({ retries }));
    expect(rows).toHaveLength(95);
    expect(api.requests.filter((r) => r.query.page === '1')).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    // exponential backoff with jitter: attempt 2 waits in [base, 2*base)
    expect(retries[1]!.waitMs).toBeGreaterThanOrEqual(20);
    expect(retries[1]!.waitMs).toBeLessThan(40);
  });

  it('gives up on a permanent 500 after 3 retries with a clear error', async () => {
    api.faults.inject({ kind: 'status', status: 500 }, { times: 100 });
    await expect(collectAll('http', pageOpts(), ctx())).rejects.toThrow(
      new RegExp(`^GET ${api.url}/page\\?page=1&per_page=10 failed after 4 attempts: HTTP 500 Internal Server Error$`),
    );
    expect(api.requests).toHaveLength(4);
  });

  it('retries a response slower than timeout_ms', async () => {
    api.faults.inject({ kind: 'slow', delayMs: 2000 });
    const retries: RetryInfo[] = [];
    const rows = await collectAll('http', pageOpts({ timeout_ms: 150 }), ctx({ retries }));
    expect(rows).toHaveLength(95);
    expect(retries[0]!.error).toContain('timed out after 150 ms');
  });

  it('retries a dropped connection', async () => {
    api.faults.inject({ kind: 'reset' });
    const retries: RetryInfo[] = [];
    expect(await collectAll('http', pageOpts(), ctx({ retries }))).toHaveLength(95);
    expect(retries[0]!.error).toContain('network error');
  });

  it('does not retry other 4xx and names status and URL', async () => {
    const err = await collectAll('http', { url: `${api.url}/nope` }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect((err as Error).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/nope: HTTP 404 Not Found/);
    expect(api.requests).toHaveLength(1);
  });

  it('turns a Retry-After longer than a minute into a RateLimitedError at once', async () => {
    api.faults.inject({ kind: 'status', status: 429, retryAfter: '120' });
    const err = await collectAll('http', pageOpts(), ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(120_000);
    expect(api.requests).toHaveLength(1);
  });

  it('stops waiting when the run is aborted during a backoff', async () => {
    api.faults.inject({ kind: 'status', status: 429, retryAfter: '30' });
    const ac = new AbortController();
    const started = Date.now();
    const run = collectAll('http', pageOpts(), { ...ctx({ signal: ac.signal }), onRetry: () => ac.abort(new Error('cancelled by test')) });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('secrets', () => {
  const secret = 'super-secret-value-42';
  it('sends headers and query values from named env vars and never shows them in errors or logs', async () => {
    api.faults.inject({ kind: 'status', status: 500 }, { times: 1 });
    api.faults.inject({ kind: 'status', status: 400, body: { error: `bad token ${secret}` } }, { times: 1 });
    const lines: string[] = [];
    const opts = pageOpts({ headers_from_env: { Authorization: { env: 'MY_TOKEN', prefix: 'Bearer ' } }, query_from_env: { api_key: 'MY_KEY' } });
    const err = await collectAll('http', opts, ctx({ env: { MY_TOKEN: secret, MY_KEY: secret }, logger: captureLogger(lines) })).catch((e: unknown) => e);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    expect(api.requests[0]!.query.api_key).toBe(secret);
    expect(err).toBeInstanceOf(NonRetryableError);
    const message = (err as Error).message;
    expect(message).toContain('HTTP 400');
    expect(message).toContain('api_key=[REDACTED]');
    expect(message).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('names an unset variable, not a value', async () => {
    await expect(collectAll('http', pageOpts({ headers_from_env: { 'X-Token': 'NOT_SET_ANYWHERE' } }), ctx())).rejects.toThrow(
      'options.headers_from_env.X-Token: environment variable NOT_SET_ANYWHERE is not set',
    );
    expect(api.requests).toHaveLength(0);
  });
});

function captureLogger(lines: string[]): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
}
