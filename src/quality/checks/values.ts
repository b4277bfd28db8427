/** Checks on values: null/empty ratio per column, metadata ranges and allowed sets, freshness. */
import type { z } from 'zod';
import type { metadataRuleSchema } from '../config';
import type { CheckResult, RowCheck } from '../types';
import { isBlank } from '../text';
import { type CheckEnv, FailingSample, RatioCounter, clampScore, columnValue, pct, severityOf } from './common';

/**
 * `null_ratio`: share of null/blank values per column against its limit. The
 * score is that of the worst column.
 */
export function nullRatioCheck(env: CheckEnv, limits: Record<string, number>): RowCheck {
  const columns = Object.keys(limits);
  const nulls = new Map<string, number>(columns.map((c) => [c, 0]));
  const sample = new FailingSample();
  let rows = 0;
  return {
    add({ row, meta, id }) {
      rows++;
      for (const c of columns) {
        if (!isBlank(columnValue(row, meta, c))) continue;
        nulls.set(c, nulls.get(c)! + 1);
        sample.push(id, `${c} is null or empty`);
      }
    },
    finish(): CheckResult {
      const per: Record<string, { nulls: number; ratio: number; limit: number }> = {};
      const over: string[] = [];
      let worst = 0;
      for (const c of columns) {
        const ratio = rows === 0 ? 0 : nulls.get(c)! / rows;
        per[c] = { nulls: nulls.get(c)!, ratio, limit: limits[c]! };
        worst = Math.max(worst, ratio);
        if (ratio > limits[c]!) over.push(`${c} ${pct(ratio)} > ${pct(limits[c]!)}`);
      }
      return {
        name: 'null_ratio',
        stage: env.stage,
        passed: over.length === 0,
        score: clampScore(1 - worst),
        severity: severityOf('null_ratio', env),
        message: over.length ? `null/empty ratio too high: ${over.join('; ')}` : `null/empty ratios within limits (${columns.join(', ')})`,
        details: { rows, columns: per },
        failing: sample.rows,
      };
    },
  };
}

type MetadataRule = z.infer<typeof metadataRuleSchema>;

function ruleProblem(field: string, v: unknown, rule: MetadataRule): string | null {
  if (v === undefined || v === null) return rule.required ? `metadata.${field} is missing` : null;
  if (rule.allowed && !rule.allowed.includes(v as string | number | boolean)) {
    return `metadata.${field}=${JSON.stringify(v)} not in [${rule.allowed.join(', ')}]`;
  }
  if (rule.min !== undefined || rule.max !== undefined) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) return `metadata.${field}=${JSON.stringify(v)} is not a number`;
    if (rule.min !== undefined && n < rule.min) return `metadata.${field}=${n} is below ${rule.min}`;
    if (rule.max !== undefined && n > rule.max) return `metadata.${field}=${n} is above ${rule.max}`;
  }
  return null;
}

/** `metadata`: named metadata fields within their range or allowed set (missing is fine unless `required`). */
export function metadataCheck(env: CheckEnv, rules: Record<string, MetadataRule>): RowCheck {
  const counter = new RatioCounter('metadata', env, 0);
  const perField = new Map<string, number>(Object.keys(rules).map((f) => [f, 0]));
  return {
    add({ meta, id }) {
      const problems: string[] = [];
      for (const [field, rule] of Object.entries(rules)) {
        const p = ruleProblem(field, meta ? meta[field] : undefined, rule);
        if (p) {
          problems.push(p);
          perField.set(field, perField.get(field)! + 1);
        }
      }
      counter.observe(id, problems.length ? problems.join('; ') : null);
    },
    finish: () => counter.result('rows with metadata out of range', { fields: Object.fromEntries(perField) }),
  };
}

/** `freshness`: `created_at` no older than `hours` before `now` (future dates count as fresh). */
export function freshnessCheck(env: CheckEnv, now: Date, hours: number, maxStaleRatio: number): RowCheck {
  const counter = new RatioCounter('freshness', env, maxStaleRatio);
  const cutoff = now.getTime() - hours * 3_600_000;
  let newest = -Infinity;
  return {
    add({ row, id }) {
      const t = row.created_at instanceof Date ? row.created_at.getTime() : NaN;
      if (Number.isNaN(t)) return; // column_types reports it
      newest = Math.max(newest, t);
      counter.observe(id, t < cutoff ? `created_at ${new Date(t).toISOString()} is older than ${hours} h` : null);
    },
    finish: () =>
      counter.result(`rows older than ${hours} h`, {
        hours,
        cutoff: new Date(cutoff).toISOString(),
        newest: Number.isFinite(newest) ? new Date(newest).toISOString() : null,
      }),
  };
}
