/**
 * The `quality:` block of a pipeline (and a task's `quality:` overrides).
 * Thresholds are fatal unless listed under `warn`, where exceeding them only
 * records a warning.
 */
import { z } from 'zod';
import { CHECK_NAMES, isCheckName } from './check-names';

const ratio = z.number().min(0).max(1);

/** Allowed values or a numeric range for one metadata field. */
export const metadataRuleSchema = z
  .object({
    min: z.number().optional(),
    max: z.number().optional(),
    allowed: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    required: z.boolean().default(false),
  })
  .strict();

/** Output sanity checks for LLM tasks. */
export const llmChecksSchema = z
  .object({
    max_empty_ratio: ratio.default(0.05),
    /** An output longer than this many times its input (inputs under 20 characters count as 20) is "long". */
    max_length_ratio: z.number().positive().default(3),
    max_long_output_ratio: ratio.default(0.05),
    max_html_ratio: ratio.default(0.01),
    /** Expected script of the outputs (detected by Hangul / Latin / CJK letter ratios, not a language model). */
    language: z.enum(['ko', 'en', 'latin', 'cjk']).optional(),
    max_language_change_ratio: ratio.default(0.05),
  })
  .strict();

// Same fields as llmChecksSchema without defaults, so an override sets only what it names.
const llmChecksOverridesSchema = z
  .object({
    max_empty_ratio: ratio.optional(),
    max_length_ratio: z.number().positive().optional(),
    max_long_output_ratio: ratio.optional(),
    max_html_ratio: ratio.optional(),
    language: z.enum(['ko', 'en', 'latin', 'cjk']).optional(),
    max_language_change_ratio: ratio.optional(),
  })
  .strict();

const checkNameSchema = z.string().refine(isCheckName, { message: `must be one of: ${CHECK_NAMES.join(', ')}` });

const qualityShape = {
  required_columns: z.array(z.string().min(1)).default([]),
  /** One ratio for every required column (raw_text when none), or a ratio per column (`metadata.<field>` allowed). */
  max_null_ratio: z.union([ratio, z.record(z.string(), ratio)]).optional(),
  dedupe: z.boolean().default(false),
  near_dedupe: z.boolean().default(false),
  min_score: ratio.default(0),
  metadata: z.record(z.string(), metadataRuleSchema).default({}),
  freshness_hours: z.number().positive().optional(),
  /** Share of rows allowed to be older than `freshness_hours`. */
  max_stale_ratio: ratio.default(0),
  max_failed_ratio: ratio.optional(),
  check_types: z.boolean().default(true),
  llm_checks: llmChecksSchema.optional(),
  /** Names of checks whose failure is only a warning. */
  warn: z.array(checkNameSchema).default([]),
};

/** The quality configuration of a pipeline. */
export const qualityConfigSchema = z.object(qualityShape).strict();

/** Parsed quality configuration. */
export type QualityConfig = z.infer<typeof qualityConfigSchema>;
/** Quality configuration as written in YAML (defaults not yet applied). */
export type QualityConfigInput = z.input<typeof qualityConfigSchema>;

/**
 * A task's `quality:` overrides. Unlike `qualityConfigSchema.partial()` (which in
 * zod 4 still fills defaults, so `{ min_score: 0.9 }` would reset `dedupe` and
 * `required_columns`), this keeps only the fields the task file actually sets.
 */
export const qualityOverridesSchema = z
  .object({
    ...qualityShape,
    required_columns: z.array(z.string().min(1)).optional(),
    dedupe: z.boolean().optional(),
    near_dedupe: z.boolean().optional(),
    min_score: ratio.optional(),
    metadata: z.record(z.string(), metadataRuleSchema).optional(),
    max_stale_ratio: ratio.optional(),
    check_types: z.boolean().optional(),
    llm_checks: llmChecksOverridesSchema.optional(),
    warn: z.array(checkNameSchema).optional(),
  })
  .strict();
/** Parsed task overrides. */
export type QualityOverrides = z.infer<typeof qualityOverridesSchema>;

/**
 * Merge task overrides over a pipeline's config. Scalars and lists replace;
 * `metadata` rules, `llm_checks` and per-column `max_null_ratio` records merge key by key.
 */
export function mergeQualityConfig(base: QualityConfig, override?: Partial<QualityConfig> | QualityOverrides): QualityConfig {
  if (!override) return base;
  const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) as Partial<QualityConfig>;
  const out: QualityConfig = { ...base, ...defined };
  if (defined.metadata) out.metadata = { ...base.metadata, ...defined.metadata };
  if (defined.llm_checks || base.llm_checks) {
    const over = Object.entries(defined.llm_checks ?? {}).filter(([, v]) => v !== undefined);
    out.llm_checks = llmChecksSchema.parse({ ...base.llm_checks, ...Object.fromEntries(over) });
  }
  const a = base.max_null_ratio;
  const b = defined.max_null_ratio;
  if (a && b && typeof a === 'object' && typeof b === 'object') out.max_null_ratio = { ...a, ...b };
  return out;
}
