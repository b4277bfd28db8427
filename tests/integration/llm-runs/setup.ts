/**
 * Shared setup of the LLM run tests: an `engine: llm` task, pipelines that use
 * it, a price table with round numbers, and the expected output of a row
 * (the task's rules around the fake server's deterministic cleaning).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { compileRules } from '../../../src/cleaning/rules';
import { renderPrompt } from '../../../src/cleaning/llm/prompt';
import { taskSchema, type TaskDef } from '../../../src/resources/schemas';
import { parse } from 'yaml';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { fakeClean } from '../../support/fake-llm-server';
import type { Harness } from '../../support/harness';

/** The LLM task of these tests; `over` replaces top-level YAML lines. */
export function llmTaskYaml(over: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    task_name: 'llm_test',
    engine: 'llm',
    model: 'test-model',
    temperature: '0',
    max_tokens: '1024',
    batch_size: '10',
    json_mode: 'true',
    cache: 'true',
    system_message: '"You clean short reviews. Reply only with JSON."',
    prompt: '"Clean: {{text}}"',
    rules: '\n  before: [strip_html, decode_entities, fix_mojibake]\n  after: [trim]',
    ...over,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

/** The parsed task for a YAML text from {@link llmTaskYaml}. */
export function parseTask(yaml: string): TaskDef {
  return taskSchema.parse(parse(yaml));
}

/** $1 per million tokens in and out, so cost = tokens / 1e6. */
export const PRICES_YAML = `models:
  default:        { input: 1, output: 1 }
  test-model:     { input: 1, output: 1 }
  fallback-model: { input: 1, output: 1 }
`;

/** Write the test price table into the harness's copy of resources/. */
export async function writePrices(h: Harness): Promise<void> {
  await fs.writeFile(path.join(h.resourcesDir, 'prices.yaml'), PRICES_YAML);
}

/** LLM environment for the fake server. */
export function llmEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'sk-test-not-a-real-key', LLM_TIMEOUT_MS: '2000', ...extra };
}

/** What a row should look like after the run: rules.before → fake LLM (on the rendered prompt) → rules.after. */
export function expectedRow(task: TaskDef, raw: string | null): { text: string | null; viaLlm: boolean } {
  if (raw === null) return { text: null, viaLlm: false };
  const before = compileRules(task.rules.before)(raw);
  const after = compileRules(task.rules.after);
  if (before.trim() === '') return { text: after(before), viaLlm: false };
  return { text: after(fakeClean(renderPrompt(task.prompt, before, null))), viaLlm: true };
}

/** One processed row as read back by DuckDB. */
export interface ProcessedRead {
  id: number;
  raw_text: string | null;
  cleaned_text: string | null;
  llm_model: string | null;
  cleaning_task: string | null;
  status: string;
  error: string | null;
}

/** Every row of a processed Parquet file, by id. */
export async function readProcessed(file: string): Promise<ProcessedRead[]> {
  const rows = await duckQuery(`SELECT id, raw_text, cleaned_text, llm_model, cleaning_task, status, error FROM read_parquet(${sqlPath(file)}) ORDER BY id`);
  return rows as unknown as ProcessedRead[];
}

/** Poll `check` until it returns true (no event exists for these conditions). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
