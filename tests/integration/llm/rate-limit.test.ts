import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createLlmCleaner, type LlmEvent } from '../../../src/cleaning/llm';
import { RateLimiter } from '../../../src/cleaning/llm/rate-limiter';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm-server';
import { deleteKeys, makeDeps, makeLlm, makeRows, makeTask, REDIS_URL, uniquePrefix } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CHILD = path.join(__dirname, 'fixtures/rps-child.ts');

/** Resolve with the first stdout line matching `pred`; reject if the child exits first. */
function lineFrom(child: ChildProcessWithoutNullStreams, pred: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      const hit = lines.find(pred);
      if (hit !== undefined) {
        child.stdout.off('data', onData);
        resolve(hit);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
}

describe('LLM cleaner: cluster-wide rate limit', () => {
  let redis: Redis;
  let fake: FakeLlm;
  const prefixes: string[] = [];
  const prefix = (): string => {
    const p = uniquePrefix('rl');
    prefixes.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    fake = await startFakeLlm({ latencyMs: 10 });
  });
  afterEach(() => {
    fake.setFaults(undefined);
    fake.resetStats();
  });
  afterAll(async () => {
    for (const p of prefixes) await deleteKeys(redis, p);
    await fake.close();
    redis.disconnect();
  });

  it('3 worker processes share LLM_MAX_RPS=20: the server never sees more than 20 requests in a second', async () => {
    const keyPrefix = prefix();
    const perChild = 30; // requests per child (batch_size 2 × 60 rows)
    const children = [0, 1, 2].map((k) =>
      spawn(TSX, [CHILD, JSON.stringify({ redisUrl: REDIS_URL, keyPrefix, url: fake.url, maxRps: 20, rows: perChild * 2, startId: k * 1000, batchSize: 2, concurrency: 8 })], {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'error' },
      }),
    );
    try {
      await Promise.all(children.map((c) => lineFrom(c, (l) => l === 'ready')));
      const results = children.map((c) => lineFrom(c, (l) => l.startsWith('{')));
      for (const c of children) c.stdin.write('go\n');
      const done = (await Promise.all(results)).map((l) => JSON.parse(l) as { cleaned: number; usage: { requests: number } });

      expect(done.map((d) => d.cleaned)).toEqual([60, 60, 60]);
      expect(done.map((d) => d.usage.requests)).toEqual([perChild, perChild, perChild]);
      expect(fake.stats.requests).toBe(3 * perChild);
      const perSecond = [...fake.stats.perSecond.values()];
      expect(Math.max(...perSecond)).toBeLessThanOrEqual(20);
      // Stricter than calendar seconds: any 1 s span of arrivals holds at most 20.
      const t = fake.stats.arrivals;
      let worst = 0;
      for (let i = 0, j = 0; i < t.length; i++) {
        while (t[i]! - t[j]! >= 1000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      expect(worst).toBeLessThanOrEqual(20);
      // And the limiter does not leave much on the table: 90 requests need at least 4 windows, and at most a few more.
      const span = t[t.length - 1]! - t[0]!;
      expect(span).toBeGreaterThanOrEqual(3 * 1000);
      expect(span).toBeLessThan(6500);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
    }
  });

  it('a 429 with Retry-After pauses every cleaner sharing the Redis prefix, then work recovers', async () => {
    const keyPrefix = prefix();
    fake.setFaults({ schedule: ['rate_limit'], retryAfterMs: 400 });
    const llm = makeLlm(fake.url, { maxRps: 1000 });
    let onRateLimited: (e: LlmEvent) => void = () => undefined;
    const limited = new Promise<LlmEvent>((resolve) => (onRateLimited = resolve));
    const depsA = makeDeps(redis, keyPrefix, llm, { onEvent: (e) => e.type === 'rate_limited' && onRateLimited(e) });
    const a = createLlmCleaner(makeTask({ cache: false, concurrency: 1 }), depsA, { runId: 'a' }).clean(makeRows(10));
    const event = await limited;
    expect(event).toMatchObject({ type: 'rate_limited', reason: '429', retryAfterMs: 400 });
    // Another worker starts only now, after the 429: it must also wait for the cool-down.
    const b = createLlmCleaner(makeTask({ cache: false }), makeDeps(redis, keyPrefix, llm), { runId: 'b' }).clean(makeRows(20, 100));
    const [outA, outB] = await Promise.all([a, b]);
    expect([...outA, ...outB].every((o) => o.status === 'cleaned')).toBe(true);
    const [first, ...rest] = fake.stats.arrivals;
    expect(rest.length).toBe(3);
    for (const at of rest) expect(at - first!).toBeGreaterThanOrEqual(380);
  });

  it('follows x-ratelimit-remaining-requests: pauses the cluster until the reset instead of hammering', async () => {
    const own = await startFakeLlm({ latencyMs: 5, rpsLimit: 5 });
    try {
      const deps = makeDeps(redis, prefix(), makeLlm(own.url));
      const out = await createLlmCleaner(makeTask({ cache: false, batch_size: 1, concurrency: 2 }), deps, { runId: 'h' }).clean(makeRows(15));
      expect(out.every((o) => o.status === 'cleaned')).toBe(true);
      expect(deps.events.some((e) => e.type === 'rate_limited' && e.reason === 'remaining_requests')).toBe(true);
      // With concurrency 2, at most the one request already in flight can overrun the quota per window.
      expect(own.stats.rateLimited).toBeLessThanOrEqual(3);
    } finally {
      await own.close();
    }
  });

  it('the Lua limiter is atomic: 100 concurrent asks in one window grant exactly maxRps', async () => {
    const keyPrefix = prefix();
    const limiters = Array.from({ length: 5 }, () => new RateLimiter(redis, { keyPrefix, maxRps: 20 }));
    const asks = await Promise.all(Array.from({ length: 100 }, (_v, i) => limiters[i % 5]!.tryAcquire(10)));
    expect(asks.filter((r) => r.permit).length).toBe(20);
    const refused = asks.filter((r) => !r.permit);
    // All 20 slots are in flight (no response yet), so refused callers are told to look again shortly.
    expect(refused.every((r) => r.reason === 'rps' && r.waitMs === 20)).toBe(true);
    // Released slots are dated at their end and free up one window later.
    const granted = asks.filter((r) => r.permit);
    await Promise.all(granted.map((r, i) => limiters[i % 5]!.release(r.permit!, 0)));
    const next = await limiters[0]!.tryAcquire(10);
    expect(next.reason).toBe('rps');
    expect(next.waitMs).toBeGreaterThan(900);
    expect(next.waitMs).toBeLessThanOrEqual(1011);
  });

  it('tokens per minute: estimates reserve, usage corrects, and waits say how long', async () => {
    const keyPrefix = prefix();
    const rl = new RateLimiter(redis, { keyPrefix, maxTpm: 1000 });
    const p1 = await rl.tryAcquire(600);
    expect(p1.permit).toBeDefined();
    const refused = await rl.tryAcquire(600);
    expect(refused).toMatchObject({ reason: 'tpm' });
    expect(refused.waitMs).toBeGreaterThan(59_000);
    await rl.correct(p1.permit!, 150); // the request really used 150 tokens
    expect((await rl.tryAcquire(600)).permit).toBeDefined();
    expect(await redis.get(`${keyPrefix}:rl:tpm-total`)).toBe('750');
    // A request bigger than the whole budget still runs when the window is empty (instead of waiting forever).
    const big = new RateLimiter(redis, { keyPrefix: `${keyPrefix}-big`, maxTpm: 100 });
    prefixes.push(`${keyPrefix}-big`);
    expect((await big.tryAcquire(5000)).permit).toBeDefined();
  });
});
