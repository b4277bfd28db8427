/** Checks on the shape of rows: required columns present, column types as the schema says. */
import { PROCESSED_SCHEMA_VERSION, RAW_SCHEMA_VERSION } from '../../types';
import type { CheckResult, RowCheck, RowContext } from '../types';
import { type CheckEnv, RatioCounter, columnValue } from './common';

/** `required_columns`: every listed column (or `metadata.<field>`) is present in every row. Presence, not non-null. */
export function requiredColumnsCheck(env: CheckEnv, columns: readonly string[]): RowCheck {
  const counter = new RatioCounter('required_columns', env, 0);
  const missing = new Map<string, number>(columns.map((c) => [c, 0]));
  return {
    add({ row, meta, id }: RowContext) {
      const absent = columns.filter((c) => columnValue(row, meta, c) === undefined);
      for (const c of absent) missing.set(c, (missing.get(c) ?? 0) + 1);
      counter.observe(id, absent.length ? `missing column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}` : null);
    },
    finish() {
      const bad = [...missing].filter(([, n]) => n > 0).map(([c]) => c);
      const r = counter.result('rows missing a required column', { columns, missing: Object.fromEntries(missing) });
      if (bad.length) r.message = `required column${bad.length > 1 ? 's' : ''} ${bad.join(', ')} missing in ${r.message}`;
      return r;
    },
  };
}

const STATUSES = new Set(['cleaned', 'failed']);

function isValidDate(v: unknown): boolean {
  return v instanceof Date && !Number.isNaN(v.getTime());
}
function isStringOrNull(v: unknown): boolean {
  return v === null || typeof v === 'string';
}

/** The first type problem of a row, or null. */
function typeProblem(ctx: RowContext, processed: boolean): string | null {
  const r = ctx.row;
  if (!Number.isSafeInteger(r.id)) return `id: not a safe integer (${String(r.id)})`;
  if (typeof r.source !== 'string' || r.source === '') return 'source: not a non-empty string';
  if (!isStringOrNull(r.raw_text)) return `raw_text: expected string or null, got ${typeof r.raw_text}`;
  if (!isValidDate(r.created_at)) return 'created_at: not a valid timestamp';
  if (!isStringOrNull(r.metadata)) return `metadata: expected a JSON string or null, got ${typeof r.metadata}`;
  if (ctx.meta === undefined) return 'metadata: not a JSON object';
  if (!processed) return null;
  if (!STATUSES.has(r.status as string)) return `status: "${String(r.status)}" is not cleaned or failed`;
  if (!isStringOrNull(r.cleaned_text)) return 'cleaned_text: expected string or null';
  if (!isStringOrNull(r.llm_model)) return 'llm_model: expected string or null';
  if (typeof r.cleaning_task !== 'string') return 'cleaning_task: expected a string';
  if (!isValidDate(r.processed_at)) return 'processed_at: not a valid timestamp';
  if (!isStringOrNull(r.error)) return 'error: expected string or null';
  return null;
}

/**
 * `column_types`: every row matches the raw (or processed) schema of the
 * contract; and, when the file's sidecar schema version is given, it is the
 * version this code reads.
 */
export function columnTypesCheck(env: CheckEnv, schemaVersion?: number): RowCheck {
  const processed = env.stage === 'processed';
  const counter = new RatioCounter('column_types', env, 0);
  const expected = processed ? PROCESSED_SCHEMA_VERSION : RAW_SCHEMA_VERSION;
  return {
    add(ctx) {
      counter.observe(ctx.id, typeProblem(ctx, processed));
    },
    finish(): CheckResult {
      const r = counter.result('rows with a wrong column type', { schemaVersion: schemaVersion ?? null, expectedSchemaVersion: expected });
      if (schemaVersion !== undefined && schemaVersion !== expected) {
        const age = schemaVersion < expected ? 'older' : 'unknown (newer)';
        r.passed = false;
        r.score = 0;
        r.message = `${env.stage} schema version ${schemaVersion} is ${age}; this code reads version ${expected}. ${r.message}`;
      }
      return r;
    },
  };
}
