/**
 * zod schemas of the YAML resources: `resources/pipelines.yaml` and
 * `resources/tasks/<name>.yaml`. Loaders live beside this file.
 */
import { z } from 'zod';
import { qualityConfigSchema, qualityOverridesSchema } from '../quality/config';
import { cronProblem, timeZoneProblem } from './cron';

/** A pipeline, task or output name: safe as a file name part and a job id part. */
export const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use 1-64 letters, digits, _ or -, starting with a letter or digit');

/** Every rules step name, in the order the docs list them. */
export const RULE_STEP_NAMES = [
  'strip_html',
  'decode_entities',
  'normalize_whitespace',
  'normalize_unicode',
  'fix_mojibake',
  'mask_pii',
  'truncate',
  'trim',
] as const;
/** A rules step name. */
export type RuleStepName = (typeof RULE_STEP_NAMES)[number];

// `- mask_pii:` with nothing after it is natural YAML for "defaults", so null means {}.
const orEmpty = (v: unknown): unknown => (v === null ? {} : v);

const stepOptionSchemas = {
  normalize_unicode: z.object({ form: z.enum(['NFC', 'NFKC', 'NFD', 'NFKD']).default('NFC') }).strict(),
  truncate: z.object({ max_length: z.number().int().positive() }).strict(),
  mask_pii: z
    .object({
      emails: z.boolean().default(true),
      phones: z.boolean().default(true),
      email_mask: z.string().default('[EMAIL]'),
      phone_mask: z.string().default('[PHONE]'),
    })
    .strict(),
} as const;
const STEPS_WITH_OPTIONS = Object.keys(stepOptionSchemas);
// `truncate` has no sensible default length, so it is only valid with options.
const bareStepSchema = z.enum(RULE_STEP_NAMES.filter((n) => n !== 'truncate') as [Exclude<RuleStepName, 'truncate'>]);

/** Message for a step that matches no branch at its root (a bad name or shape). */
function badStepMessage(input: unknown): string | undefined {
  const known = `known steps: ${RULE_STEP_NAMES.join(', ')}`;
  if (typeof input === 'string') {
    if (input === 'truncate') return 'truncate needs options, e.g. { truncate: { max_length: 2000 } }';
    return `unknown rule step "${input}" (${known})`;
  }
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const keys = Object.keys(input);
    if (keys.length === 1) {
      const key = keys[0]!;
      if (!(RULE_STEP_NAMES as readonly string[]).includes(key)) return `unknown rule step "${key}" (${known})`;
      if (!STEPS_WITH_OPTIONS.includes(key)) return `"${key}" takes no options; write it as a plain name`;
      return undefined;
    }
  }
  return `a rule step is a name such as "trim" or a one-key map such as { truncate: { max_length: 2000 } } (${known})`;
}

/** A deterministic cleaning step: a name, or `{ name: options }` for steps that take options. */
export const ruleStepSchema = z.union(
  [
    bareStepSchema,
    z.object({ normalize_unicode: z.preprocess(orEmpty, stepOptionSchemas.normalize_unicode) }).strict(),
    z.object({ truncate: stepOptionSchemas.truncate }).strict(),
    z.object({ mask_pii: z.preprocess(orEmpty, stepOptionSchemas.mask_pii) }).strict(),
  ],
  { error: (iss) => (iss.code === 'invalid_union' ? badStepMessage(iss.input) : undefined) },
);
/** One rules step as written in a task file. */
export type RuleStep = z.infer<typeof ruleStepSchema>;

/** A cleaning task file. */
export const taskSchema = z
  .object({
    task_name: nameSchema,
    description: z.string().default(''),
    engine: z.enum(['llm', 'rules']),
    system_message: z.string().default('You clean text. Reply only with JSON.'),
    prompt: z.string().default('{{text}}'),
    model: z.string().min(1).optional(),
    fallback_model: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).default(0),
    max_tokens: z.number().int().positive().max(200_000).default(1024),
    batch_size: z.number().int().positive().max(500).default(10),
    /** Requests in flight per worker for this task (overrides LLM_CONCURRENCY). */
    concurrency: z.number().int().positive().max(64).optional(),
    cache: z.boolean().default(true),
    json_mode: z.boolean().default(true),
    rules: z
      .object({
        before: z.array(ruleStepSchema).default([]),
        after: z.array(ruleStepSchema).default([]),
      })
      .strict()
      .default(() => ({ before: [], after: [] })),
    // Not qualityConfigSchema.partial(): in zod 4 that fills defaults, so overrides would reset the pipeline's settings.
    quality: qualityOverridesSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.engine === 'llm' && !t.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required when engine is llm' });
    if (t.engine === 'llm' && !t.prompt.includes('{{text}}')) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'must contain {{text}}' });
    }
  });
/** A parsed task. */
export type TaskDef = z.infer<typeof taskSchema>;

/** A cron schedule as written in pipelines.yaml. */
export const cronSchema = z.string().min(1).max(120);

/** One pipeline definition. */
export const pipelineSchema = z
  .object({
    source: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    task: nameSchema,
    schedule: cronSchema.optional(),
    tz: z.string().optional(),
    chunk_size: z.number().int().positive().max(1_000_000).default(500),
    quality: qualityConfigSchema.default(() => qualityConfigSchema.parse({})),
    output: nameSchema,
    description: z.string().default(''),
    /** What to do with a chunk that exhausted its attempts: keep its rows marked failed, or fail the run. */
    on_chunk_failure: z.enum(['mark', 'fail']).default('mark'),
    /** BullMQ priority for this pipeline's jobs (1 = highest). */
    priority: z.number().int().min(1).max(2_097_152).optional(),
    notify: z
      .object({
        emails: z.array(z.email()).default([]),
        digest: z.boolean().default(false),
      })
      .strict()
      .default(() => ({ emails: [], digest: false })),
  })
  .strict()
  .superRefine((p, ctx) => {
    const tzIssue = p.tz === undefined ? undefined : timeZoneProblem(p.tz);
    if (tzIssue) ctx.addIssue({ code: 'custom', path: ['tz'], message: tzIssue });
    const cronIssue = p.schedule === undefined ? undefined : cronProblem(p.schedule, tzIssue ? undefined : p.tz);
    if (cronIssue) ctx.addIssue({ code: 'custom', path: ['schedule'], message: cronIssue });
  });
/** A parsed pipeline definition plus its name. */
export type PipelineDef = z.infer<typeof pipelineSchema> & { name: string };

/** The whole pipelines.yaml file. */
export const pipelinesFileSchema = z.object({ pipelines: z.record(nameSchema, pipelineSchema) }).strict();
