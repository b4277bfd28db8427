/** Reading rate-limit headers: Retry-After, retry-after-ms and OpenAI's x-ratelimit-*. */

/** The subset of the Fetch `Headers` interface we read. */
export interface HeaderBag {
  get(name: string): string | null;
}

/**
 * Parse a duration as OpenAI writes it in x-ratelimit-reset-* (`1s`, `6m0s`,
 * `20ms`, `1h2m3.5s`), or a plain number of seconds. Undefined if unreadable.
 */
export function parseDurationMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0];
  }
  return matched === v ? Math.ceil(total) : undefined;
}

/** Ms to wait from `retry-after-ms`, else `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: HeaderBag | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const ra = headers.get('retry-after');
  if (ra === null) return undefined;
  const secs = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(secs) && secs >= 0) return Math.ceil(secs * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** When the server says a quota is used up: how long until it resets, and which one. */
export function exhaustedQuota(headers: HeaderBag | undefined): { waitMs: number; which: 'requests' | 'tokens' } | undefined {
  if (!headers) return undefined;
  let worst: { waitMs: number; which: 'requests' | 'tokens' } | undefined;
  for (const which of ['requests', 'tokens'] as const) {
    const remaining = headers.get(`x-ratelimit-remaining-${which}`);
    if (remaining === null || Number(remaining) > 0) continue;
    const waitMs = parseDurationMs(headers.get(`x-ratelimit-reset-${which}`)) ?? 1000;
    if (!worst || waitMs > worst.waitMs) worst = { waitMs, which };
  }
  return worst;
}

/** The server's processing time in ms (`openai-processing-ms`), or 0 if not sent. */
export function processingMs(headers: HeaderBag | undefined): number {
  const v = Number(headers?.get('openai-processing-ms'));
  return Number.isFinite(v) && v > 0 ? v : 0;
}
