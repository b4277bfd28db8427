import { Redis } from 'ioredis';
import { breakerState, createLlmCleaner } from '../../../src/cleaning/llm';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { deleteKeys, makeDeps, makeLlm, makeRows, makeTask, REDIS_URL, uniquePrefix } from './helpers';

describe('LLM cleaner: circuit breaker and fallback model', () => {
  let redis: Redis;
  let fake: FakeLlm;
  const keyPrefix = uniquePrefix('breaker');

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    fake = await startFakeLlm({ latencyMs: 5 });
  });
  afterAll(async () => {
    await deleteKeys(redis, keyPrefix);
    await fake.close();
    redis.disconnect();
  });

  it('opens after repeated failures, sends to the fallback model while open, then closes after a good probe', async () => {
    fake.setFaults({ failModels: ['test-model'] });
    const deps = makeDeps(redis, keyPrefix, makeLlm(fake.url));
    deps.tuning = { ...deps.tuning, breakerThreshold: 3, breakerCooldownMs: 400 };
    const task = makeTask({ fallback_model: 'fallback-model', batch_size: 5, concurrency: 1 });
    const cleaner = createLlmCleaner(task, deps, { runId: 'br' });
    const out = await cleaner.clean(makeRows(20));

    expect(out.every((o) => o.status === 'cleaned')).toBe(true);
    expect(fake.stats.byModel.get('test-model')).toBe(3);
    expect(fake.stats.byModel.get('fallback-model')).toBe(4);
    expect(out.every((o) => o.llm_model === 'fallback-model')).toBe(true);
    expect(deps.events).toContainEqual({ type: 'breaker_opened', runId: 'br', model: 'test-model', failures: 3, cooldownMs: 400 });
    expect(await breakerState(redis, keyPrefix, 'test-model')).toBe('open');
    expect(await breakerState(redis, keyPrefix, 'fallback-model')).toBe('closed');

    // After the cool-down the breaker is half-open; one probe to the healed model closes it.
    fake.setFaults(undefined);
    const deadline = Date.now() + 2000;
    while ((await breakerState(redis, keyPrefix, 'test-model')) === 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await breakerState(redis, keyPrefix, 'test-model')).toBe('half_open');
    const healed = await cleaner.clean(makeRows(5, 100));
    expect(healed.every((o) => o.llm_model === 'test-model')).toBe(true);
    expect(await breakerState(redis, keyPrefix, 'test-model')).toBe('closed');
    expect(deps.events.map((e) => e.type)).toContain('breaker_closed');
  });

  it('without a fallback, an open breaker stops calls until the cool-down, then probes', async () => {
    const prefix2 = `${keyPrefix}-nofb`;
    fake.setFaults({ failModels: ['test-model'] });
    fake.resetStats();
    const deps = makeDeps(redis, prefix2, makeLlm(fake.url));
    deps.tuning = { ...deps.tuning, breakerThreshold: 2, breakerCooldownMs: 300, batchAttempts: 3, singleAttempts: 0 };
    const cleaner = createLlmCleaner(makeTask({ concurrency: 1 }), deps, { runId: 'br2' });
    const t0 = Date.now();
    const out = await cleaner.clean(makeRows(3));
    // Attempts 1-2 open the breaker; attempt 3 waits out the cool-down and is the half-open probe.
    expect(out.map((o) => o.error)).toEqual(Array(3).fill('llm: 500 model is down (fake) after 3 attempts'));
    expect(fake.stats.requests).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(deps.events.filter((e) => e.type === 'breaker_opened')).toHaveLength(2);
    await deleteKeys(redis, prefix2);
  });
});
