/** Validation of {@link SidecarMeta} before it enters the index. */
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { SidecarMeta } from '../types';

/** zod schema of a sidecar (extra fields are allowed and kept). */
export const sidecarMetaSchema = z.looseObject({
  key: z.string().min(1),
  uri: z.string().min(1),
  kind: z.enum(['raw', 'part', 'processed', 'output', 'report']),
  format: z.enum(['parquet', 'csv', 'json']),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
  schemaVersion: z.number().int().min(1),
  createdAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO date'),
  runId: z.string().min(1).optional(),
  pipeline: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  inputs: z.array(z.string()),
  jobIds: z.array(z.string()).optional(),
});

/**
 * Check a sidecar's fields.
 * @throws ValidationError naming the file and the first bad field.
 */
export function validateSidecar(value: unknown, file: string): SidecarMeta {
  const r = sidecarMetaSchema.safeParse(value);
  if (r.success) return r.data as SidecarMeta;
  const issue = r.error.issues[0]!;
  throw new ValidationError(issue.message, { file, field: issue.path.join('.') || undefined });
}
