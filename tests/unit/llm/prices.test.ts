import path from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { costUsd, estimateRunCost, loadPrices, parsePrices, priceOf } from '../../../src/cleaning/llm';
import { ValidationError } from '../../../src/errors';
import { taskSchema } from '../../../src/resources/schemas';

describe('price table', () => {
  it('loads resources/prices.yaml with the required models', async () => {
    const prices = await loadPrices(path.resolve(__dirname, '../../../resources'));
    for (const m of ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4o']) expect(prices.models[m]).toBeDefined();
    expect(priceOf(prices, 'gpt-4o-mini-2024-07-18')).toEqual(prices.models['gpt-4o-mini']);
    expect(priceOf(prices, 'something-else')).toEqual(prices.default);
    expect(costUsd(prices, 'gpt-4o-mini', 1_000_000, 1_000_000)).toBeCloseTo(0.75, 10);
  });
  it('refuses a bad file, naming the file and field', async () => {
    expect(() => parsePrices('models:\n  x: { input: -1, output: 1 }\n  default: { input: 1, output: 1 }', 'p.yaml')).toThrow(/p\.yaml: models\.x\.input/);
    expect(() => parsePrices('models:\n  x: { input: 1, output: 1 }', 'p.yaml')).toThrow(ValidationError);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'prices-'));
    await expect(loadPrices(dir)).rejects.toThrow(/prices\.yaml: cannot read/);
    await writeFile(path.join(dir, 'prices.yaml'), 'models: [');
    await expect(loadPrices(dir)).rejects.toThrow(/not valid YAML/);
  });
});

describe('estimateRunCost', () => {
  const prices = parsePrices('models:\n  default: { input: 1, output: 2 }\n  m: { input: 10, output: 20 }');
  const task = taskSchema.parse({ task_name: 't', engine: 'llm', model: 'm', batch_size: 10 });
  it('scales a sample to the run and prices it with the task model', async () => {
    const small = await estimateRunCost(task, { texts: ['x'.repeat(400), null], totalRows: 1000 }, prices);
    const big = await estimateRunCost(task, { texts: ['x'.repeat(400), null], totalRows: 2000 }, prices);
    // 500 non-null rows × ~(106 prompt + 106 reply) tokens, plus per-request overhead.
    expect(small.estimatedTokens).toBeGreaterThan(100_000);
    expect(small.estimatedTokens).toBeLessThan(130_000);
    expect(big.estimatedTokens).toBeGreaterThan(small.estimatedTokens * 1.9);
    expect(small.estimatedCostUsd).toBeGreaterThan(small.estimatedTokens * 10e-6);
    expect(small.estimatedCostUsd).toBeLessThan(small.estimatedTokens * 20e-6);
  });
  it('is zero for empty samples', async () => {
    expect(await estimateRunCost(task, { texts: [null, ''], totalRows: 10 }, prices)).toEqual({ estimatedTokens: 0, estimatedCostUsd: 0 });
  });
});
