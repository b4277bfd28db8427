/**
 * The collector registry: one list, like graphile-worker's preset plugins.
 * Adding a source = one file exporting a {@link Collector} + one entry here.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { fileCollector } from './file';
import { httpCollector } from './http';
import { sampleCollector } from './sample';
import { tmdbCollector } from './tmdb';
import { getPath } from './options';
import type { Collector } from './types';

/** Every built-in source, in display order. */
export const collectors: readonly Collector[] = [sampleCollector, fileCollector, httpCollector, tmdbCollector];

/**
 * The collector registered under `name`.
 * @throws ValidationError (field `source`) listing the known sources.
 */
export function getCollector(name: string): Collector {
  const found = collectors.find((c) => c.name === name);
  if (!found) {
    throw new ValidationError(`unknown source ${JSON.stringify(name)}; known sources: ${collectors.map((c) => c.name).join(', ')}`, {
      field: 'source',
    });
  }
  return found;
}

/**
 * Validate and default options with the collector's own schema.
 * The error names the bad field, e.g. `options.rows: expected a positive integer`;
 * `where.field` replaces the `options` prefix (e.g. `pipelines.daily.options`).
 * @throws ValidationError for an unknown source or bad options.
 */
export function parseCollectorOptions(name: string, options: unknown, where: { file?: string; field?: string } = {}): unknown {
  const collector = getCollector(name);
  const parsed = collector.options.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const prefix = where.field ?? 'options';
  const issues = parsed.error.issues.map((issue) => describeIssue(issue, prefix, options));
  const [first, ...rest] = issues;
  const more = rest.length ? ` (and ${rest.length} more: ${rest.map((r) => `${r.field}: ${r.message}`).join('; ')})` : '';
  throw new ValidationError(`${first!.message}${more}`, { file: where.file, field: first!.field, cause: parsed.error });
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string, input: unknown): { field: string; message: string } {
  const path = [prefix, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return { field: `${path}.${issue.keys[0]}`, message: `unknown option${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}` };
  }
  if (issue.code === 'invalid_type' && getPath(input, issue.path.map(String).join('.')) === undefined) return { field: path, message: 'is required' };
  return { field: path, message: issue.message };
}

/** What `GET /api/sources` returns for one source. */
export interface SourceDescription {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the options as a user writes them. */
  options: Record<string, unknown>;
}

/** Every source with its options as JSON Schema. */
export function describeSources(): SourceDescription[] {
  return collectors.map((c) => ({
    name: c.name,
    description: c.description,
    options: z.toJSONSchema(c.options, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  }));
}
