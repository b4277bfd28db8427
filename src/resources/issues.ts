/** Turn zod issues into one readable line that names the field, e.g. `rules.before[1]: unknown rule step "x"`. */
import type { z } from 'zod';
import { ValidationError } from '../errors';

/** A field path as written in YAML: `pipelines.sample_daily.chunk_size`, `rules.before[1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

interface Flat {
  path: PropertyKey[];
  message: string;
}

// For a union, report the branch the input was meant for: the one whose
// problems are all below the root (the input had the right shape).
function flatten(issue: z.core.$ZodIssue, prefix: PropertyKey[]): Flat {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = issue.errors.find((b) => b.length > 0 && b.every((i) => i.path.length > 0));
    if (branch) return flatten(branch[0]!, path);
  }
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown field(s): ${issue.keys.join(', ')}` };
  if (issue.code === 'invalid_key' && issue.issues[0]) {
    return { path, message: `invalid name ${JSON.stringify(path[path.length - 1])}: ${issue.issues[0].message}` };
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return { path, message: `is required (expected ${issue.expected})` };
  }
  return { path, message: issue.message };
}

/** The problems of a zod error as `{ field, message }`, first problem first. */
export function describeIssues(error: z.ZodError): Array<{ field: string; message: string }> {
  return error.issues.map((issue) => {
    const flat = flatten(issue, []);
    return { field: formatPath(flat.path), message: flat.message };
  });
}

/**
 * A {@link ValidationError} for a file whose content failed a zod schema: the
 * first problem gives the field; up to three more are appended to the message.
 */
export function zodToValidationError(error: z.ZodError, file: string): ValidationError {
  const all = describeIssues(error);
  const [first, ...rest] = all;
  const more = rest.slice(0, 3).map((p) => `${p.field || '(root)'}: ${p.message}`);
  const extra = rest.length > 3 ? `; and ${rest.length - 3} more` : '';
  const message = (first?.message ?? 'invalid') + (more.length ? ` (also ${more.join('; ')}${extra})` : '');
  return new ValidationError(message, { file, field: first?.field || undefined, cause: error });
}
