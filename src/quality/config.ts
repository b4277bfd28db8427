/**
 * The `quality:` block of a pipeline (and a task's `quality:` overrides).
 * Thresholds are fatal unless listed under `warn`, where exceeding them only
 * records a warning.
 */
import { z } from 'zod';

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
    max_length_ratio: z.number().positive().default(3),
    max_long_output_ratio: ratio.default(0.05),
    max_html_ratio: ratio.default(0.01),
    language: z.enum(['ko', 'en', 'latin', 'cjk']).optional(),
    max_language_change_ratio: ratio.default(0.05),
  })
  .strict();

/** The quality configuration of a pipeline. */
export const qualityConfigSchema = z
  .object({
    required_columns: z.array(z.string().min(1)).default([]),
    /** One ratio for every required column, or a ratio per column. */
    max_null_ratio: z.union([ratio, z.record(z.string(), ratio)]).optional(),
    dedupe: z.boolean().default(false),
    near_dedupe: z.boolean().default(false),
    min_score: ratio.default(0),
    metadata: z.record(z.string(), metadataRuleSchema).default({}),
    freshness_hours: z.number().positive().optional(),
    max_failed_ratio: ratio.optional(),
    check_types: z.boolean().default(true),
    llm_checks: llmChecksSchema.optional(),
    /** Names of checks whose failure is only a warning. */
    warn: z.array(z.string()).default([]),
  })
  .strict();

/** Parsed quality configuration. */
export type QualityConfig = z.infer<typeof qualityConfigSchema>;
/** Quality configuration as written in YAML (defaults not yet applied). */
export type QualityConfigInput = z.input<typeof qualityConfigSchema>;
