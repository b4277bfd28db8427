/**
 * zod schemas of the YAML resources: `resources/pipelines.yaml` and
 * `resources/tasks/<name>.yaml`. Loaders live beside this file.
 */
import { z } from 'zod';
import { qualityConfigSchema } from '../quality/config';

/** A pipeline, task or output name: safe as a file name part and a job id part. */
export const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use 1-64 letters, digits, _ or -, starting with a letter or digit');

/** A deterministic cleaning step: a name, or `{ name: options }` for steps that take options. */
export const ruleStepSchema = z.union([
  z.enum(['strip_html', 'decode_entities', 'normalize_whitespace', 'normalize_unicode', 'fix_mojibake', 'mask_pii', 'truncate', 'trim']),
  z.object({ normalize_unicode: z.object({ form: z.enum(['NFC', 'NFKC', 'NFD', 'NFKD']).default('NFC') }).strict() }).strict(),
  z.object({ truncate: z.object({ max_length: z.number().int().positive() }).strict() }).strict(),
  z
    .object({
      mask_pii: z
        .object({
          emails: z.boolean().default(true),
          phones: z.boolean().default(true),
          email_mask: z.string().default('[EMAIL]'),
          phone_mask: z.string().default('[PHONE]'),
        })
        .strict(),
    })
    .strict(),
]);
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
      .default({ before: [], after: [] }),
    quality: qualityConfigSchema.partial().optional(),
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
    quality: qualityConfigSchema.default(qualityConfigSchema.parse({})),
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
      .default({ emails: [], digest: false }),
  })
  .strict();
/** A parsed pipeline definition plus its name. */
export type PipelineDef = z.infer<typeof pipelineSchema> & { name: string };

/** The whole pipelines.yaml file. */
export const pipelinesFileSchema = z.object({ pipelines: z.record(nameSchema, pipelineSchema) }).strict();
