/**
 * `resources/retention.yaml`: how long each kind of data file is kept, the
 * free-disk threshold that raises a `disk_low` notice, and how many backups
 * are kept. Every field is optional (defaults below); the file itself is too.
 * Read on every use, so an edit takes effect at the next scheduled run.
 */
import path from 'node:path';
import { z } from 'zod';
import { zodToValidationError } from '../resources/issues';
import { readYamlFile } from '../resources/yaml';

const days = z.number().positive().max(36_500);

const schema = z
  .object({
    max_age_days: z
      .object({
        raw: days.default(30),
        parts: days.default(2),
        processed: days.default(90),
        output: days.default(365),
        reports: days.default(365),
      })
      .strict()
      .default({ raw: 30, parts: 2, processed: 90, output: 365, reports: 365 }),
    disk: z
      .object({
        min_free_percent: z.number().min(0).max(100).default(10),
        min_free_mb: z.number().min(0).default(1024),
      })
      .strict()
      .default({ min_free_percent: 10, min_free_mb: 1024 }),
    backups: z
      .object({ keep: z.number().int().min(1).max(1000).default(7) })
      .strict()
      .default({ keep: 7 }),
    /** Run status records in Redis (GET /api/runs) of finished runs older than this are removed. */
    run_records: z
      .object({ max_age_days: days.default(90) })
      .strict()
      .default({ max_age_days: 90 }),
  })
  .strict();

/** Parsed retention settings. */
export type OpsConfig = z.infer<typeof schema>;
/** The data kinds retention handles. */
export type RetentionKind = keyof OpsConfig['max_age_days'];

/** The file name under the resources directory. */
export const OPS_CONFIG_FILE = 'retention.yaml';

/** Validate parsed YAML (or `null` for an empty file). `file` names the source in errors. */
export function parseOpsConfig(data: unknown, file = OPS_CONFIG_FILE): OpsConfig {
  const r = schema.safeParse(data ?? {});
  if (!r.success) throw zodToValidationError(r.error, file);
  return r.data;
}

/**
 * Load `<resourcesDir>/retention.yaml`; a missing file means the defaults.
 * @throws ValidationError naming the file and the field.
 */
export async function loadOpsConfig(resourcesDir: string): Promise<OpsConfig> {
  const file = path.join(resourcesDir, OPS_CONFIG_FILE);
  let data: unknown;
  try {
    data = await readYamlFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return parseOpsConfig({}, file);
    throw err;
  }
  return parseOpsConfig(data, file);
}
