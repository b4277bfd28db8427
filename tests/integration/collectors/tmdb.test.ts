/** The `tmdb` collector against a fake TMDB on loopback. */
import type { RetryInfo } from '../../../src/collectors/types';
import { NonRetryableError, ValidationError } from '../../../src/errors';
import { silentLogger } from '../../../src/logger';
import { collectAll } from '../../support/collector-conformance';
import { startFakeTmdb, type FakeTmdb } from '../../support/fake-tmdb';

const BEARER = 'eyJhbGciOiJIUzI1NiJ9.fake-bearer';
const KEY = 'f00dfeedcafe1234';
let tmdb: FakeTmdb;
beforeEach(async () => {
  tmdb = await startFakeTmdb({ bearer: BEARER, apiKey: KEY, movies: 50 });
});
afterEach(async () => {
  await tmdb.close();
});
const ctx = (env: Record<string, string>, retries?: RetryInfo[]) => ({ logger: silentLogger(), env, dataDir: '/nonexistent', onRetry: (i: RetryInfo) => retries?.push(i) });

it('reads popular movies page by page with a bearer token, stopping at total_pages', async () => {
  const rows = await collectAll('tmdb', { base_url: tmdb.baseUrl, pages: 10 }, ctx({ TMDB_BEARER_TOKEN: BEARER }));
  expect(rows).toHaveLength(50);
  expect(tmdb.requests.map((r) => [r.path, r.query.page, r.query.language])).toEqual([
    ['/3/movie/popular', '1', 'en-US'],
    ['/3/movie/popular', '2', 'en-US'],
    ['/3/movie/popular', '3', 'en-US'],
  ]);
  expect(tmdb.requests[0]!.headers.authorization).toBe(`Bearer ${BEARER}`);
  expect(tmdb.requests[0]!.query.api_key).toBeUndefined();
  const m = tmdb.movies[3]!;
  expect(rows[3]).toEqual({
    id: m.id,
    raw_text: m.overview,
    metadata: { title: m.title, release_date: m.release_date, vote_average: m.vote_average, vote_count: m.vote_count, popularity: m.popularity, genre_ids: m.genre_ids },
  });
  expect(rows[6]!.raw_text).toBe('');
  expect(rows[10]!.metadata!.release_date).toBeNull();
});

it('uses the api_key query parameter when only TMDB_API_KEY is set, and the bearer token when both are', async () => {
  await collectAll('tmdb', { base_url: tmdb.baseUrl }, ctx({ TMDB_API_KEY: KEY }));
  expect(tmdb.requests[0]!.query.api_key).toBe(KEY);
  expect(tmdb.requests[0]!.headers.authorization).toBeUndefined();
  await collectAll('tmdb', { base_url: tmdb.baseUrl }, ctx({ TMDB_API_KEY: KEY, TMDB_BEARER_TOKEN: BEARER }));
  expect(tmdb.requests[1]!.headers.authorization).toBe(`Bearer ${BEARER}`);
  expect(tmdb.requests[1]!.query.api_key).toBeUndefined();
});

it('reads trending for the chosen window and language', async () => {
  const rows = await collectAll('tmdb', { base_url: tmdb.baseUrl, list: 'trending', time_window: 'day', language: 'ko-KR' }, ctx({ TMDB_BEARER_TOKEN: BEARER }));
  expect(tmdb.requests[0]!.path).toBe('/3/trending/movie/day');
  expect(tmdb.requests[0]!.query.language).toBe('ko-KR');
  expect(rows[0]!.id).toBe(tmdb.movies[49]!.id);
});

it('discovers movies by genre', async () => {
  const rows = await collectAll('tmdb', { base_url: tmdb.baseUrl, list: 'discover', genre_id: 28, pages: 5 }, ctx({ TMDB_BEARER_TOKEN: BEARER }));
  expect(tmdb.requests[0]!.path).toBe('/3/discover/movie');
  expect(tmdb.requests[0]!.query.with_genres).toBe('28');
  expect(rows).toHaveLength(tmdb.movies.filter((m) => m.genre_ids.includes(28)).length);
  expect(rows.every((r) => (r.metadata!.genre_ids as number[]).includes(28))).toBe(true);
});

it('skips a movie that shifts onto the next page', async () => {
  await tmdb.close();
  tmdb = await startFakeTmdb({ bearer: BEARER, movies: 50, repeatAcrossPages: true });
  const rows = await collectAll('tmdb', { base_url: tmdb.baseUrl, pages: 3 }, ctx({ TMDB_BEARER_TOKEN: BEARER }));
  const ids = rows.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toHaveLength(49);
});

it('retries a 500 and a 429 through the shared HTTP client', async () => {
  tmdb.faults.inject({ kind: 'status', status: 500 }, { times: 1 });
  tmdb.faults.inject({ kind: 'status', status: 429, retryAfter: '0' }, { times: 1 });
  const retries: RetryInfo[] = [];
  const rows = await collectAll('tmdb', { base_url: tmdb.baseUrl, pages: 3, retry_base_ms: 10 }, ctx({ TMDB_BEARER_TOKEN: BEARER }, retries));
  expect(rows).toHaveLength(50);
  expect(retries.map((r) => r.error)).toEqual([expect.stringContaining('HTTP 500'), expect.stringContaining('HTTP 429')]);
});

it('names both variables when neither is set', async () => {
  const err = await collectAll('tmdb', { base_url: tmdb.baseUrl }, ctx({})).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toContain('TMDB_BEARER_TOKEN');
  expect((err as Error).message).toContain('TMDB_API_KEY');
  expect(tmdb.requests).toHaveLength(0);
});

it('reports a rejected key without showing it', async () => {
  const wrong = 'wrong-key-0123456789';
  const err = await collectAll('tmdb', { base_url: tmdb.baseUrl }, ctx({ TMDB_API_KEY: wrong })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NonRetryableError);
  expect((err as Error).message).toMatch(/HTTP 401 Unauthorized .*Invalid API key/);
  expect((err as Error).message).not.toContain(wrong);
});

it('explains a base_url that is not TMDB', async () => {
  const err = await collectAll('tmdb', { base_url: tmdb.url }, ctx({ TMDB_BEARER_TOKEN: BEARER })).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(/HTTP 404/);
});
