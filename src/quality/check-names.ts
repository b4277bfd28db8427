/** The names of the quality checks, as used in reports and in a config's `warn:` list. */
export const CHECK_NAMES = [
  'required_columns',
  'column_types',
  'null_ratio',
  'duplicates',
  'near_duplicates',
  'metadata',
  'freshness',
  'failed_ratio',
  'empty_output',
  'long_output',
  'html_output',
  'language_change',
] as const;

/** One quality check name. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** Whether `name` is a known check name. */
export function isCheckName(name: string): name is CheckName {
  return (CHECK_NAMES as readonly string[]).includes(name);
}
