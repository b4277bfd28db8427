/**
 * `tmdb`: movies from The Movie Database (popular, trending, or discover by
 * genre). `raw_text` is the overview; title, release date, votes, popularity
 * and genres go into metadata. Auth: `TMDB_BEARER_TOKEN` (preferred) or
 * `TMDB_API_KEY` from the environment.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { CollectedRow } from '../types';
import { getJson } from './http-client';
import { httpUrl, nonNegativeInt, positiveInt } from './options';
import { isPlainObject, toId, toJsonValue, toText } from './row-values';
import type { CollectContext, Collector } from './types';

/** Options of the `tmdb` collector. */
export const tmdbOptionsSchema = z
  .object({
    list: z.enum(['popular', 'trending', 'discover']).default('popular'),
    /** TMDB genre id for `discover` (e.g. 18 = Drama). */
    genre_id: positiveInt().optional(),
    /** For `trending`. */
    time_window: z.enum(['day', 'week']).default('week'),
    /** Pages to read (20 movies each); stops early at the last page. TMDB serves at most 500. */
    pages: positiveInt(500).default(1),
    base_url: httpUrl.default('https://api.themoviedb.org/3'),
    language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { error: 'expected a language such as en-US or ko-KR' }).default('en-US'),
    timeout_ms: positiveInt(600_000).default(10_000),
    max_retries: nonNegativeInt(10).default(3),
    retry_base_ms: positiveInt(60_000).default(500),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.list === 'discover' && o.genre_id === undefined) ctx.addIssue({ code: 'custom', path: ['genre_id'], message: 'is required when list is discover' });
  });

/** Parsed options of the `tmdb` collector. */
export type TmdbOptions = z.infer<typeof tmdbOptionsSchema>;

function endpoint(o: TmdbOptions): { path: string; query: Record<string, string> } {
  if (o.list === 'trending') return { path: `/trending/movie/${o.time_window}`, query: {} };
  if (o.list === 'discover') return { path: '/discover/movie', query: { with_genres: String(o.genre_id), sort_by: 'popularity.desc' } };
  return { path: '/movie/popular', query: {} };
}

function auth(ctx: CollectContext): { headers: Record<string, string>; query: Record<string, string>; secrets: string[] } {
  const bearer = ctx.env.TMDB_BEARER_TOKEN?.trim();
  if (bearer) return { headers: { Authorization: `Bearer ${bearer}` }, query: {}, secrets: [bearer] };
  const key = ctx.env.TMDB_API_KEY?.trim();
  if (key) return { headers: {}, query: { api_key: key }, secrets: [key] };
  throw new ValidationError('set TMDB_BEARER_TOKEN (v4 read access token) or TMDB_API_KEY (v3 key) in the environment', { field: 'env' });
}

async function* collectTmdb(o: TmdbOptions, ctx: CollectContext): AsyncGenerator<CollectedRow> {
  const a = auth(ctx);
  const { path, query } = endpoint(o);
  const seen = new Set<number>();
  let skipped = 0;
  for (let page = 1; page <= o.pages; page++) {
    const url = new URL(o.base_url.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries({ ...query, ...a.query, language: o.language, page: String(page) })) url.searchParams.set(k, v);
    const body = await getJson(url.toString(), {
      headers: a.headers, timeoutMs: o.timeout_ms, maxRetries: o.max_retries, retryBaseMs: o.retry_base_ms,
      signal: ctx.signal, onRetry: ctx.onRetry, logger: ctx.logger, secrets: a.secrets,
    });
    const results = isPlainObject(body) ? body.results : undefined;
    if (!Array.isArray(results)) throw new ValidationError(`page ${page} of ${path} has no "results" array; is base_url a TMDB v3 API?`, { field: 'options.base_url' });
    for (const movie of results) {
      if (!isPlainObject(movie)) continue;
      const id = toId(movie.id);
      // Popular lists shift while we page through them, so the same movie can appear twice.
      if (id !== undefined && seen.has(id)) {
        skipped++;
        continue;
      }
      if (id !== undefined) seen.add(id);
      yield {
        ...(id !== undefined ? { id } : {}),
        raw_text: toText(movie.overview),
        metadata: toJsonValue({
          title: movie.title ?? null,
          release_date: movie.release_date || null,
          vote_average: movie.vote_average ?? null,
          vote_count: movie.vote_count ?? null,
          popularity: movie.popularity ?? null,
          genre_ids: Array.isArray(movie.genre_ids) ? movie.genre_ids : [],
        }) as Record<string, unknown>,
      };
    }
    const totalPages = isPlainObject(body) && typeof body.total_pages === 'number' ? body.total_pages : page;
    if (page >= totalPages || results.length === 0) break;
  }
  if (skipped) ctx.logger.info('tmdb skipped movies repeated across pages', { skipped });
}

/** The `tmdb` collector. */
export const tmdbCollector: Collector<TmdbOptions> = {
  name: 'tmdb',
  description: 'TMDB movies (popular, trending, or discover by genre); raw_text is the overview. Needs TMDB_BEARER_TOKEN or TMDB_API_KEY.',
  options: tmdbOptionsSchema,
  collect: collectTmdb,
};
