/** Every built-in collector passes the same conformance suite. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectors } from '../../../src/collectors/registry';
import type { CollectContext } from '../../../src/collectors/types';
import { silentLogger } from '../../../src/logger';
import { describeCollectorConformance, waitUntilClosed } from '../../support/collector-conformance';
import { startFakeHttpApi } from '../../support/fake-http-api';
import { startFakeTmdb } from '../../support/fake-tmdb';

const ctx = (over: Partial<CollectContext> = {}): CollectContext => ({ logger: silentLogger(), env: {}, dataDir: os.tmpdir(), ...over });

it('the registry lists exactly the four built-in sources', () => {
  expect(collectors.map((c) => c.name)).toEqual(['sample', 'file', 'http', 'tmdb']);
});

describeCollectorConformance('sample', async () => ({
  ctx: ctx(),
  valid: { rows: 300, seed: 7, base_time: '2024-05-01T00:00:00Z' },
  expectedRows: 300,
  invalid: [
    { options: { rows: 0 }, field: 'rows' },
    { options: { rows: 1.5 }, field: 'rows' },
    { options: { seed: -1 }, field: 'seed' },
    { options: { html_ratio: 1.2 }, field: 'html_ratio' },
    { options: { base_time: 'tomorrow' }, field: 'base_time' },
    { options: { null_ratio: 0.6, duplicate_ratio: 0.6 }, field: 'null_ratio' },
  ],
  large: { rows: 100_000_000 },
}));

describeCollectorConformance('file', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'collector-conf-file-'));
  await fs.mkdir(path.join(dataDir, 'inbox'));
  const csv = 'id,text,stars\n1,"Great, really",5\n2,"He said ""hi""\nthen left",3\n3,,1\n';
  await fs.writeFile(path.join(dataDir, 'inbox', 'small.csv'), csv);
  const big = path.join(dataDir, 'inbox', 'big.jsonl');
  await fs.writeFile(big, Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ text: `row ${i}`, n: i })).join('\n'));
  return {
    ctx: ctx({ dataDir }),
    valid: { path: 'small.csv', id_column: 'id' },
    expectedRows: 3,
    invalid: [
      { options: {}, field: 'path' },
      { options: { path: '../../etc/passwd' }, field: 'path' },
      { options: { path: '/etc/passwd' }, field: 'path' },
      { options: { path: 'a.csv', format: 'xlsx' }, field: 'format' },
      { options: { path: 'a.csv', text_column: '' }, field: 'text_column' },
    ],
    large: { path: 'big.jsonl' },
    afterEarlyStop: () => waitUntilClosed(big),
    failing: [
      { options: { path: 'missing/*.csv' }, message: /options\.path: no file matches "missing\/\*\.csv"/ },
      { options: { path: 'small.csv', text_column: 'body' }, message: /options\.text_column: column "body" not found in inbox\/small\.csv; columns: id, text, stars/ },
    ],
    teardown: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
});

describeCollectorConformance('http', async () => {
  const api = await startFakeHttpApi({ items: 2000, auth: { name: 'x-api-key', value: 'k3y-value-123' } });
  const env = { FAKE_API_KEY: 'k3y-value-123' };
  return {
    ctx: ctx({ env }),
    valid: { url: `${api.url}/page`, items_path: 'data.items', pagination: { style: 'page', page_size: 500 }, fields: { id: 'id', text: 'attributes.body', created_at: 'created' }, headers_from_env: { 'X-Api-Key': 'FAKE_API_KEY' } },
    expectedRows: 2000,
    invalid: [
      { options: {}, field: 'url' },
      { options: { url: 'ftp://example.com' }, field: 'url' },
      { options: { url: 'http://x', pagination: { style: 'cursor' } }, field: 'pagination.cursor_path' },
      { options: { url: 'http://x', headers: { Authorization: 'Bearer literal' } }, field: 'headers.Authorization' },
      { options: { url: 'http://x', timeout_ms: 0 }, field: 'timeout_ms' },
      { options: { url: 'http://x', items_path: 'a..b' }, field: 'items_path' },
    ],
    large: { url: `${api.url}/page`, items_path: 'data.items', pagination: { style: 'page', page_size: 10 }, headers_from_env: { 'X-Api-Key': 'FAKE_API_KEY' } },
    afterEarlyStop: () => {
      const large = api.requests.filter((r) => r.query.per_page === '10');
      expect(large).toHaveLength(1);
    },
    failing: [
      { options: { url: `${api.url}/page`, headers_from_env: { 'X-Api-Key': 'UNSET_VAR_XYZ' } }, message: /options\.headers_from_env\.X-Api-Key: environment variable UNSET_VAR_XYZ is not set/ },
      { options: { url: `${api.url}/page`, items_path: 'data.items' }, ctx: { env: { } }, message: /environment variable|401/ },
      { options: { url: `${api.url}/page`, items_path: 'data.items', headers_from_env: { 'X-Api-Key': 'WRONG' } }, ctx: { env: { WRONG: 'nope-nope' } }, message: /GET http:\/\/127\.0\.0\.1:\d+\/page: HTTP 401 Unauthorized/ },
      { options: { url: `${api.url}/page`, items_path: 'meta', headers_from_env: { 'X-Api-Key': 'FAKE_API_KEY' } }, message: /options\.items_path: expected an array at "meta"/ },
    ],
    teardown: () => api.close(),
  };
});

describeCollectorConformance('tmdb', async () => {
  const tmdb = await startFakeTmdb({ bearer: 'tmdb-bearer-xyz', movies: 300 });
  return {
    ctx: ctx({ env: { TMDB_BEARER_TOKEN: 'tmdb-bearer-xyz' } }),
    valid: { base_url: tmdb.baseUrl, pages: 3 },
    expectedRows: 60,
    invalid: [
      { options: { list: 'upcoming' }, field: 'list' },
      { options: { list: 'discover' }, field: 'genre_id' },
      { options: { pages: 501 }, field: 'pages' },
      { options: { base_url: 'not a url' }, field: 'base_url' },
      { options: { language: 'english' }, field: 'language' },
    ],
    large: { base_url: tmdb.baseUrl, pages: 15 },
    afterEarlyStop: () => {
      expect(tmdb.requests.filter((r) => r.path === '/3/movie/popular').length).toBeLessThan(15);
    },
    failing: [
      { options: { base_url: tmdb.baseUrl }, ctx: { env: {} }, message: /TMDB_BEARER_TOKEN.*TMDB_API_KEY/ },
      { options: { base_url: tmdb.baseUrl }, ctx: { env: { TMDB_BEARER_TOKEN: 'wrong-token-1' } }, message: /HTTP 401/ },
    ],
    teardown: () => tmdb.close(),
  };
});
