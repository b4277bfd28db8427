/**
 * GET-a-JSON-document with timeouts and retries, shared by the `http` and
 * `tmdb` collectors. Retries network errors, timeouts, 408, 429 (honouring
 * Retry-After) and 5xx with exponential backoff and jitter; any other 4xx is
 * a {@link NonRetryableError}. Error messages carry the method, a URL with
 * secrets masked and the status, never header values.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, RateLimitedError } from '../errors';
import { redactText, type Logger } from '../logger';
import type { RetryInfo } from './types';

/** Options of {@link getJson}. */
export interface GetJsonOptions {
  headers?: Record<string, string>;
  /** Per attempt, covering the response body too. */
  timeoutMs: number;
  /** Retries after the first attempt (3 means up to 4 requests). */
  maxRetries: number;
  /** First backoff step; doubles per attempt, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** A Retry-After longer than this is not slept through: a RateLimitedError is thrown at once. Default 60 s. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  logger?: Logger;
  /** Values (tokens, keys) to mask wherever they would appear in messages. */
  secrets?: readonly string[];
}

type Outcome = { ok: true; body: unknown } | { ok: false; reason: string; retryAfterMs?: number; rateLimited?: boolean };

const SENSITIVE_PARAM = /key|token|secret|pass|sig|auth|credential/i;

/** The URL with sensitive query values and known secrets masked, for messages and logs. */
export function safeUrl(url: string, secrets: readonly string[] = []): string {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) if (SENSITIVE_PARAM.test(k)) u.searchParams.set(k, 'REDACTED');
    if (u.password) u.password = 'REDACTED';
    return redactText(u.toString(), secrets);
  } catch {
    return redactText(url, secrets);
  }
}

/** Milliseconds to wait from a Retry-After header (delay-seconds or HTTP date); undefined if absent or unparsable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: base * 2^(attempt-1), scaled by a random factor in [0.5, 1). */
export function backoffMs(attempt: number, baseMs: number, rnd: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (0.5 + rnd() / 2));
}

/**
 * GET `url` and parse the JSON body, retrying transient failures.
 * @throws NonRetryableError on 4xx (not 408/429) or a body that is not JSON;
 *   RateLimitedError when 429s outlast the retries; Error after other retries run out;
 *   the signal's reason when aborted.
 */
export async function getJson(url: string, opts: GetJsonOptions): Promise<unknown> {
  const shown = safeUrl(url, opts.secrets);
  const base = opts.retryBaseMs ?? 500;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    const outcome = await attemptOnce(url, shown, opts);
    if (outcome.ok) return outcome.body;
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > maxRetryAfter) {
      throw new RateLimitedError(`GET ${shown}: ${outcome.reason}; Retry-After is longer than ${maxRetryAfter} ms`, outcome.retryAfterMs);
    }
    const waitMs = outcome.retryAfterMs ?? backoffMs(attempt, base);
    if (attempt > opts.maxRetries) {
      const msg = `GET ${shown} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${outcome.reason}`;
      if (outcome.rateLimited) throw new RateLimitedError(msg, waitMs);
      throw new Error(msg);
    }
    opts.logger?.warn('http request failed; retrying', { url: shown, attempt, of: opts.maxRetries + 1, error: outcome.reason, waitMs });
    opts.onRetry?.({ attempt, error: `GET ${shown}: ${outcome.reason}`, waitMs });
    await sleep(waitMs, undefined, { signal: opts.signal }).catch((err: unknown) => {
      throw opts.signal?.aborted ? opts.signal.reason : err;
    });
  }
}

async function attemptOnce(url: string, shown: string, opts: GetJsonOptions): Promise<Outcome> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...opts.headers }, signal, redirect: 'follow' });
    if (res.ok) text = await res.text();
    else text = await readSnippet(res);
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timeout.aborted) return { ok: false, reason: `timed out after ${opts.timeoutMs} ms` };
    return { ok: false, reason: `network error: ${networkReason(err)}` };
  }
  if (res.ok) {
    try {
      return { ok: true, body: text.length ? JSON.parse(text) : null };
    } catch {
      throw new NonRetryableError(`GET ${shown}: response is not JSON (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content-type'})`);
    }
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  if (res.status === 429) return { ok: false, reason: status, retryAfterMs, rateLimited: true };
  if (res.status >= 500 || res.status === 408) return { ok: false, reason: status, retryAfterMs };
  const snippet = redactText(text.replace(/\s+/g, ' ').trim(), opts.secrets ?? []);
  throw new NonRetryableError(`GET ${shown}: ${status}${snippet ? ` — ${snippet}` : ''}`);
}

/** The first 200 characters of an error body (small, for the message). */
async function readSnippet(res: Response): Promise<string> {
  const text = await res.text();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
