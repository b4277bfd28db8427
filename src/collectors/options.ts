/** zod building blocks shared by collector option schemas, with messages that read well after the field name. */
import { z } from 'zod';

/** A positive integer with a readable message. */
export function positiveInt(max = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  const msg = 'expected a positive integer';
  return z.number({ error: msg }).int({ error: msg }).positive({ error: msg }).max(max, { error: `expected at most ${max}` });
}

/** A non-negative integer with a readable message. */
export function nonNegativeInt(max = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  const msg = 'expected an integer >= 0';
  return z.number({ error: msg }).int({ error: msg }).min(0, { error: msg }).max(max, { error: `expected at most ${max}` });
}

/** A proportion in [0, 1]. */
export const ratio = z
  .number({ error: 'expected a number between 0 and 1' })
  .min(0, { error: 'expected a number between 0 and 1' })
  .max(1, { error: 'expected a number between 0 and 1' });

/** A dot path into a JSON object, e.g. `data.items` or `attributes.body`. */
export const dotPath = z
  .string({ error: 'expected a dot path such as "data.items"' })
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: 'expected a dot path such as "data.items"' });

/** An http(s) URL. */
export const httpUrl = z.string({ error: 'expected an http(s) URL' }).refine((v) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, { error: 'expected an http(s) URL' });

/** The name of an environment variable (never its value). */
export const envVarName = z
  .string({ error: 'expected an environment variable name' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name such as MY_API_TOKEN' });

/**
 * Read a value at a dot path. Returns undefined when any step is missing.
 * An empty path returns the value itself.
 */
export function getPath(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
