/**
 * `http`: a paginated JSON REST API (page, offset or cursor style) with an
 * item path and a field mapping. Secret headers and query parameters come
 * from environment variables named in the options, never from literal values.
 */
import { z } from 'zod';
import { NonRetryableError, ValidationError } from '../errors';
import type { CollectedRow } from '../types';
import { getJson } from './http-client';
import { dotPath, envVarName, getPath, httpUrl, nonNegativeInt, positiveInt } from './options';
import { isPlainObject, toDate, toId, toJsonValue, toText } from './row-values';
import type { CollectContext, Collector } from './types';

const SENSITIVE_NAME = /auth|token|key|secret|pass|cookie|session|sig|credential/i;
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'expected an HTTP header name' });
const envRef = z.union([envVarName, z.object({ env: envVarName, prefix: z.string().default('') }).strict()]);

const paginationSchema = z
  .object({
    style: z.enum(['page', 'offset', 'cursor', 'none']).default('none'),
    page_param: z.string().min(1).default('page'),
    /** Page size parameter; default `per_page` (page style) or `limit` (offset, cursor). */
    size_param: z.string().min(1).optional(),
    /** Must match what the server returns: a shorter page means the last page. */
    page_size: positiveInt(10_000).default(100),
    start_page: nonNegativeInt().default(1),
    offset_param: z.string().min(1).default('offset'),
    cursor_param: z.string().min(1).default('cursor'),
    /** Dot path of the next cursor in the response; missing, null or '' ends the walk. */
    cursor_path: dotPath.optional(),
    max_pages: positiveInt(1_000_000).default(1000),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.style === 'cursor' && !p.cursor_path) ctx.addIssue({ code: 'custom', path: ['cursor_path'], message: 'is required when style is cursor' });
  });

/** Options of the `http` collector. */
export const httpOptionsSchema = z
  .object({
    url: httpUrl,
    /** Literal, non-secret query parameters. */
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Query parameters whose values come from environment variables: `{ api_key: MY_KEY_VAR }`. */
    query_from_env: z.record(z.string(), envVarName).default({}),
    /** Literal, non-secret headers such as Accept-Language. */
    headers: z.record(headerName, z.string()).default({}),
    /** Headers from environment variables: `{ Authorization: { env: API_TOKEN, prefix: "Bearer " } }` or `{ X-Api-Key: API_KEY }`. */
    headers_from_env: z.record(headerName, envRef).default({}),
    pagination: paginationSchema.default(paginationSchema.parse({})),
    /** Dot path of the item array in each response; omit when the response is the array. */
    items_path: dotPath.optional(),
    fields: z
      .object({
        id: dotPath.optional(),
        text: dotPath.default('text'),
        created_at: dotPath.optional(),
        /** Dot paths copied into metadata; default: every other top-level field. */
        metadata: z.array(dotPath).optional(),
      })
      .strict()
      .default({ text: 'text' }),
    timeout_ms: positiveInt(600_000).default(10_000),
    max_retries: nonNegativeInt(10).default(3),
    retry_base_ms: positiveInt(60_000).default(500),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o.headers)) {
      if (SENSITIVE_NAME.test(k)) ctx.addIssue({ code: 'custom', path: ['headers', k], message: 'looks secret; put the value in an environment variable and use headers_from_env' });
    }
    for (const k of Object.keys(o.query)) {
      if (SENSITIVE_NAME.test(k)) ctx.addIssue({ code: 'custom', path: ['query', k], message: 'looks secret; put the value in an environment variable and use query_from_env' });
    }
  });

/** Parsed options of the `http` collector. */
export type HttpOptions = z.infer<typeof httpOptionsSchema>;

/** Values of named environment variables; an unset variable is a ValidationError naming it. */
function fromEnv(ctx: CollectContext, name: string, field: string): string {
  const v = ctx.env[name];
  if (v === undefined || v === '') throw new ValidationError(`environment variable ${name} is not set`, { field });
  return v;
}

async function* collectHttp(o: HttpOptions, ctx: CollectContext): AsyncGenerator<CollectedRow> {
  const secrets: string[] = [];
  const headers: Record<string, string> = { ...o.headers };
  for (const [h, ref] of Object.entries(o.headers_from_env)) {
    const spec = typeof ref === 'string' ? { env: ref, prefix: '' } : ref;
    const value = fromEnv(ctx, spec.env, `options.headers_from_env.${h}`);
    secrets.push(value);
    headers[h] = spec.prefix + value;
  }
  const envQuery: Record<string, string> = {};
  for (const [q, name] of Object.entries(o.query_from_env)) {
    envQuery[q] = fromEnv(ctx, name, `options.query_from_env.${q}`);
    secrets.push(envQuery[q]);
  }
  const p = o.pagination;
  const sizeParam = p.size_param ?? (p.style === 'page' ? 'per_page' : 'limit');
  let page = p.start_page;
  let offset = 0;
  let cursor: string | undefined;
  for (let n = 1; ; n++) {
    const url = new URL(o.url);
    for (const [k, v] of Object.entries({ ...o.query, ...envQuery })) url.searchParams.set(k, String(v));
    if (p.style === 'page') url.searchParams.set(p.page_param, String(page));
    if (p.style === 'offset') url.searchParams.set(p.offset_param, String(offset));
    if (p.style === 'cursor' && cursor !== undefined) url.searchParams.set(p.cursor_param, cursor);
    if (p.style !== 'none') url.searchParams.set(sizeParam, String(p.page_size));
    const body = await getJson(url.toString(), {
      headers, timeoutMs: o.timeout_ms, maxRetries: o.max_retries, retryBaseMs: o.retry_base_ms,
      signal: ctx.signal, onRetry: ctx.onRetry, logger: ctx.logger, secrets,
    });
    const items = getPath(body, o.items_path);
    if (!Array.isArray(items)) {
      const got = items === null ? 'null' : Array.isArray(items) ? 'array' : typeof items;
      throw new ValidationError(`expected an array at "${o.items_path ?? '(response root)'}" in the response of page ${n}, got ${got}`, { field: 'options.items_path' });
    }
    ctx.logger.debug('http page fetched', { page: n, items: items.length });
    for (const [i, item] of items.entries()) yield toRow(item, o, `page ${n} item ${i}`);
    if (p.style === 'none' || items.length === 0) return;
    if ((p.style === 'page' || p.style === 'offset') && items.length < p.page_size) return;
    if (p.style === 'cursor') {
      const next = getPath(body, p.cursor_path);
      if (next === undefined || next === null || next === '') return;
      if (String(next) === cursor) throw new NonRetryableError(`the cursor at "${p.cursor_path}" did not change on page ${n}; stopping to avoid a loop`);
      cursor = String(next);
    }
    page++;
    offset += items.length;
    if (n >= p.max_pages) {
      ctx.logger.warn('http collector stopped at max_pages; more pages may exist', { maxPages: p.max_pages });
      return;
    }
  }
}

function toRow(item: unknown, o: HttpOptions, where: string): CollectedRow {
  if (!isPlainObject(item)) return { raw_text: toText(item), metadata: null };
  const f = o.fields;
  const row: CollectedRow = { raw_text: toText(getPath(item, f.text)) };
  if (f.id) row.id = mapped(() => toId(getPath(item, f.id)), where, 'id');
  if (f.created_at) row.created_at = mapped(() => toDate(getPath(item, f.created_at)), where, 'created_at');
  if (f.metadata) {
    row.metadata = Object.fromEntries(f.metadata.map((path) => [path, toJsonValue(getPath(item, path))]));
  } else {
    const used = new Set([f.id, f.text, f.created_at].filter((x): x is string => !!x).map((x) => x.split('.')[0]));
    const rest = Object.entries(item).filter(([k]) => !used.has(k));
    row.metadata = rest.length ? (toJsonValue(Object.fromEntries(rest)) as Record<string, unknown>) : null;
  }
  if (row.id === undefined) delete row.id;
  if (row.created_at === undefined) delete row.created_at;
  return row;
}

function mapped<T>(fn: () => T, where: string, field: string): T {
  try {
    return fn();
  } catch (err) {
    throw new ValidationError(`${where}: ${(err as Error).message}`, { field: `options.fields.${field}` });
  }
}

/** The `http` collector. */
export const httpCollector: Collector<HttpOptions> = {
  name: 'http',
  description: 'A paginated JSON REST API (page, offset or cursor style) with an item path and field mapping; secret headers come from named environment variables.',
  options: httpOptionsSchema,
  collect: collectHttp,
};
