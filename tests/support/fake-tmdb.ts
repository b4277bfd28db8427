/**
 * A real HTTP server on 127.0.0.1 imitating the TMDB v3 endpoints the `tmdb`
 * collector uses: `/3/movie/popular`, `/3/trending/movie/{day|week}` and
 * `/3/discover/movie`. Checks a bearer token or an `api_key` query parameter
 * and supports the same fault injection as the fake HTTP API.
 */
import { startLoopbackServer, type LoopbackServer } from './fake-http-api';

/** A movie as TMDB lists it (the fields the collector reads). */
export interface FakeMovie {
  id: number;
  title: string;
  overview: string;
  release_date: string;
  vote_average: number;
  vote_count: number;
  popularity: number;
  genre_ids: number[];
}

/** The fake TMDB; `url` is the base URL including `/3`. */
export interface FakeTmdb extends LoopbackServer {
  movies: FakeMovie[];
  /** Base URL to pass as `base_url` (ends in `/3`). */
  baseUrl: string;
}

/** Options of {@link startFakeTmdb}. */
export interface FakeTmdbOptions {
  /** Accepted `Authorization: Bearer` token. */
  bearer?: string;
  /** Accepted `api_key` query value. */
  apiKey?: string;
  /** Movies in the catalogue. Default 50 (3 pages of 20). */
  movies?: number;
  /** Repeat the last movie of page 1 at the top of page 2, as TMDB's shifting lists do. */
  repeatAcrossPages?: boolean;
}

const PAGE = 20;

/** Start the fake TMDB. */
export async function startFakeTmdb(opts: FakeTmdbOptions = {}): Promise<FakeTmdb> {
  const movies: FakeMovie[] = Array.from({ length: opts.movies ?? 50 }, (_, i) => ({
    id: 500 + i,
    title: i % 3 === 0 ? `영화 ${i}` : `Movie ${i}`,
    overview: i % 7 === 6 ? '' : i % 3 === 0 ? `한 가족의 이야기 ${i}. "따뜻한" 드라마.` : `A story, with "quotes", about movie ${i}.`,
    release_date: i % 11 === 10 ? '' : `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-15`,
    vote_average: Math.round((5 + (i % 50) / 10) * 10) / 10,
    vote_count: 100 + i * 7,
    popularity: 1000 - i * 3.5,
    genre_ids: i % 2 === 0 ? [18, 10751] : [28],
  }));
  const list = (all: FakeMovie[], pageNo: number): [number, unknown] => {
    const totalPages = Math.max(1, Math.ceil(all.length / PAGE));
    let results = all.slice((pageNo - 1) * PAGE, pageNo * PAGE);
    if (opts.repeatAcrossPages && pageNo === 2) results = [all[PAGE - 1]!, ...results.slice(0, PAGE - 1)];
    return [200, { page: pageNo, results, total_pages: totalPages, total_results: all.length }];
  };
  const server = await startLoopbackServer((r) => {
    const bearerOk = opts.bearer !== undefined && r.headers.authorization === `Bearer ${opts.bearer}`;
    const keyOk = opts.apiKey !== undefined && r.query.api_key === opts.apiKey;
    if (!bearerOk && !keyOk) return [401, { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false }];
    const pageNo = Number(r.query.page ?? 1);
    if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > 500) return [400, { status_code: 22, status_message: 'Invalid page.' }];
    if (r.path === '/3/movie/popular') return list(movies, pageNo);
    if (r.path === '/3/trending/movie/week' || r.path === '/3/trending/movie/day') return list([...movies].reverse(), pageNo);
    if (r.path === '/3/discover/movie') {
      const genre = Number(r.query.with_genres);
      return list(movies.filter((m) => m.genre_ids.includes(genre)), pageNo);
    }
    return [404, { status_code: 34, status_message: 'The resource you requested could not be found.' }];
  });
  return { ...server, movies, baseUrl: `${server.url}/3` };
}
