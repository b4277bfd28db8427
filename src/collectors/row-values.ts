/**
 * Turn loosely typed source values (CSV strings, Parquet values, JSON) into
 * the fields of a {@link CollectedRow}. Each converter returns `undefined`
 * for "no value" and throws a plain Error saying why a value is unusable;
 * the caller wraps it with the file/field it came from.
 */

/** A text value: strings as they are, null/undefined as null, numbers and booleans as text, others as JSON. */
export function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(toJsonValue(v));
}

/** An id: a safe integer from a number, bigint or integer string. Empty → undefined. */
export function toId(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new Error(`id ${JSON.stringify(toJsonValue(v))} is not a safe integer`);
  }
  return n;
}

/** A timestamp from a Date, epoch milliseconds, or a date string. Empty → undefined. */
export function toDate(v: unknown): Date | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  let d: Date;
  if (v instanceof Date) d = v;
  else if (typeof v === 'number' || typeof v === 'bigint') d = new Date(Number(v));
  else if (typeof v === 'string') d = /^-?\d+$/.test(v.trim()) ? new Date(Number(v.trim())) : new Date(v);
  else d = new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`${JSON.stringify(toJsonValue(v))} is not a valid date`);
  return d;
}

/** A JSON-safe copy: bigints become numbers (or strings past 2^53), Dates ISO strings, Buffers UTF-8 text. */
export function toJsonValue(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (depth > 32) return null;
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x, depth + 1);
    return out;
  }
  return String(v);
}

/** Whether a value is a plain object (not an array, Date or Buffer). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
