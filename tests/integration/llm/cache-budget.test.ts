import { Redis } from 'ioredis';
import { BudgetExceededError, budgetStatus, createLlmCleaner, resetBudget } from '../../../src/cleaning/llm';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { deleteKeys, makeDeps, makeLlm, makeRows, makeTask, REDIS_URL, uniquePrefix } from './helpers';

describe('LLM cleaner: cache and daily budget', () => {
  let redis: Redis;
  let fake: FakeLlm;
  const prefixes: string[] = [];
  const prefix = (): string => {
    const p = uniquePrefix('cache');
    prefixes.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    fake = await startFakeLlm({ latencyMs: 5 });
  });
  afterEach(() => fake.resetStats());
  afterAll(async () => {
    for (const p of prefixes) await deleteKeys(redis, p);
    await fake.close();
    redis.disconnect();
  });

  it('a second identical pass makes zero requests and counts every row as a cache hit', async () => {
    const keyPrefix = prefix();
    const rows = makeRows(57);
    const first = createLlmCleaner(makeTask(), makeDeps(redis, keyPrefix, makeLlm(fake.url)), { runId: 'run-a' });
    const out1 = await first.clean(rows);
    expect(fake.stats.requests).toBe(6);
    expect(first.usage().cacheHits).toBe(0);
    const ttl = await redis.ttl((await redis.keys(`${keyPrefix}:cache:*`))[0]!);
    expect(ttl).toBeGreaterThan(3500);

    fake.resetStats();
    // A different run (and cleaner) shares the cache through Redis.
    const second = createLlmCleaner(makeTask(), makeDeps(redis, keyPrefix, makeLlm(fake.url)), { runId: 'run-b' });
    const out2 = await second.clean(rows);
    expect(fake.stats.requests).toBe(0);
    expect(second.usage()).toMatchObject({ requests: 0, cacheHits: 57, tokens: 0, costUsd: 0 });
    expect(out2).toEqual(out1);

    // A change to anything in the key (here the temperature) misses the cache.
    const changed = createLlmCleaner(makeTask({ temperature: 0.5 }), makeDeps(redis, keyPrefix, makeLlm(fake.url)), { runId: 'run-c' });
    await changed.clean(rows.slice(0, 5));
    expect(fake.stats.requests).toBe(1);
  });

  it('cache: false makes the requests again', async () => {
    const keyPrefix = prefix();
    const rows = makeRows(10);
    const deps = makeDeps(redis, keyPrefix, makeLlm(fake.url));
    await createLlmCleaner(makeTask({ cache: false }), deps, { runId: 'a' }).clean(rows);
    const again = createLlmCleaner(makeTask({ cache: false }), deps, { runId: 'b' });
    await again.clean(rows);
    expect(fake.stats.requests).toBe(2);
    expect(again.usage().cacheHits).toBe(0);
    expect(await redis.keys(`${keyPrefix}:cache:*`)).toEqual([]);
  });

  it('throws BudgetExceededError once the cluster spend reaches the daily budget, and emits budget_reached once', async () => {
    const keyPrefix = prefix();
    // $1 per 1M tokens; each request of 10 rows is ~250 tokens ≈ $0.00025.
    const llm = makeLlm(fake.url, { dailyBudgetUsd: 0.001 });
    const deps = makeDeps(redis, keyPrefix, llm);
    const task = makeTask({ cache: false, concurrency: 1 });
    const cleaner = createLlmCleaner(task, deps, { runId: 'budget-run' });
    const err = await cleaner.clean(makeRows(200)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    const b = err as BudgetExceededError;
    expect(b.budgetUsd).toBe(0.001);
    expect(b.spentUsd).toBeGreaterThanOrEqual(0.001);
    // Checked before each request: with one request in flight, spend stops within one request of the limit.
    expect(fake.stats.requests).toBeLessThan(20);
    expect(cleaner.usage().costUsd).toBeCloseTo(b.spentUsd, 10);

    // Another worker of the cluster is refused too, without a request, and no second notice.
    fake.resetStats();
    const other = createLlmCleaner(task, makeDeps(redis, keyPrefix, llm), { runId: 'budget-run' });
    await expect(other.clean(makeRows(3))).rejects.toBeInstanceOf(BudgetExceededError);
    expect(fake.stats.requests).toBe(0);
    expect(deps.events.filter((e) => e.type === 'budget_reached')).toHaveLength(1);

    expect(await budgetStatus(redis, keyPrefix, llm)).toMatchObject({ reached: true, limitUsd: 0.001 });
    const after = await resetBudget(redis, keyPrefix, llm);
    expect(after).toMatchObject({ spentUsd: 0, reached: false });
    const resumed = await other.clean(makeRows(3));
    expect(resumed.every((o) => o.status === 'cleaned')).toBe(true);
  });
});
