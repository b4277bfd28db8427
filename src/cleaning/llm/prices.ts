/** The LLM price table: `resources/prices.yaml`, USD per 1M input/output tokens per model. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../../errors';

/** Price of one model in USD per one million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Prices per model name, with a `default` entry for unlisted models. */
export interface PriceTable {
  models: Readonly<Record<string, ModelPrice>>;
  default: ModelPrice;
}

const priceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();
const fileSchema = z.object({ models: z.record(z.string().min(1), priceSchema) }).strict();

/** Parse the YAML text of a price table. `file` is only used in error messages. */
export function parsePrices(text: string, file = 'prices.yaml'): PriceTable {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ValidationError(`not valid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.message, { file, field: issue.path.join('.') || 'models' });
  }
  const models = parsed.data.models;
  if (!models.default) throw new ValidationError('a `default` entry is required', { file, field: 'models.default' });
  return { models: Object.freeze({ ...models }), default: models.default };
}

/** Read `<resourcesDir>/prices.yaml`. */
export async function loadPrices(resourcesDir: string): Promise<PriceTable> {
  const file = path.join(resourcesDir, 'prices.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError(`cannot read the price table: ${(err as Error).message}`, { file, cause: err });
  }
  return parsePrices(text, file);
}

/** The price of `model`: exact entry, else the longest listed prefix (dated names), else `default`. */
export function priceOf(prices: PriceTable, model: string): ModelPrice {
  const exact = prices.models[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const name of Object.keys(prices.models)) {
    if (name !== 'default' && model.startsWith(name) && (!best || name.length > best.length)) best = name;
  }
  return best ? prices.models[best]! : prices.default;
}

/** Cost in USD of a request's token usage. */
export function costUsd(prices: PriceTable, model: string, promptTokens: number, completionTokens: number): number {
  const p = priceOf(prices, model);
  return (promptTokens * p.input + completionTokens * p.output) / 1_000_000;
}
