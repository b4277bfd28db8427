/**
 * Alert rules over the Redis chunk metrics: a breach sends 1 notice, recovery 1 resolved notice.
 */
import path from 'node:path';
import { evaluateAlerts, firingAlerts, loadAlertRules, parseAlertRules, type AlertRule } from '../../../src/notify/alerts';
import { readWindowMetrics, recordChunkMetric } from '../../../src/notify/metrics';
import { ValidationError } from '../../../src/errors';
import { startHarness, type Harness } from './harness';

const MIN = 60_000;

describe('alert rules', () => {
  let h: Harness;
  // Minute-aligned "now" so the windows are exact.
  const t0 = Math.floor(Date.now() / MIN) * MIN;
  beforeAll(async () => {
    h = await startHarness({ groupWaitMs: 50 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const record = (minuteOffset: number, ok: number, failed: number, latencyMs = 100) =>
    Promise.all([
      ...Array.from({ length: ok }, (_, i) => recordChunkMetric(h.redis, h.keyPrefix, { ok: true, rows: 100, latencyMs, waitMs: 20, at: new Date(t0 + minuteOffset * MIN + i) })),
      ...Array.from({ length: failed }, (_, i) => recordChunkMetric(h.redis, h.keyPrefix, { ok: false, rows: 100, latencyMs, waitMs: 20, at: new Date(t0 + minuteOffset * MIN + i) })),
    ]);

  it('aggregates per-minute buckets: error rate, throughput, p95', async () => {
    const prefix = `${h.keyPrefix}-agg`;
    for (let i = 0; i < 19; i++) await recordChunkMetric(h.redis, prefix, { ok: true, rows: 50, latencyMs: 80, waitMs: 5, at: new Date(t0 - 2 * MIN) });
    await recordChunkMetric(h.redis, prefix, { ok: false, rows: 50, latencyMs: 9000, waitMs: 5, at: new Date(t0 - MIN) });
    await recordChunkMetric(h.redis, prefix, { ok: false, rows: 50, latencyMs: 9000, waitMs: 5, at: new Date(t0) }); // current minute: left out
    const m = await readWindowMetrics(h.redis, prefix, 5, new Date(t0 + 1000));
    expect(m).toMatchObject({ samples: 20, ok: 19, failed: 1, rows: 1000, errorRatePct: 5, throughputRowsPerMin: 200, latencyMsP95: 100 });
    expect(m.latencyMsAvg).toBeCloseTo((19 * 80 + 9000) / 20);
    expect((await readWindowMetrics(h.redis, prefix, 1, new Date(t0 + 1000))).latencyMsP95).toBe(10_000);
  });

  it('a breach produces 1 notice and recovery produces 1 resolved notice', async () => {
    const rules: AlertRule[] = parseAlertRules(
      'alerts:\n  error_rate_high:\n    metric: error_rate_pct\n    op: ">"\n    threshold: 10\n    window_minutes: 3\n    min_samples: 4\n',
    );
    const deps = { redis: h.redis, keyPrefix: h.keyPrefix, queue: h.queue, logger: h.deps.logger, groupWaitMs: 50, windowSeconds: 60 };

    await record(-3, 6, 4); // 40% errors
    const first = await evaluateAlerts(deps, rules, new Date(t0));
    expect(first).toEqual([{ rule: 'error_rate_high', value: 40, breached: true, transition: 'fired' }]);
    // Still breaching on the next evaluations: no new notice.
    expect((await evaluateAlerts(deps, rules, new Date(t0)))[0]!.transition).toBeNull();
    expect((await evaluateAlerts(deps, rules, new Date(t0 + 30_000)))[0]).toMatchObject({ breached: true, transition: null });
    // Once the bad minute leaves the window there are too few samples: no verdict, still firing.
    expect((await evaluateAlerts(deps, rules, new Date(t0 + MIN)))[0]).toMatchObject({ breached: null, transition: null });
    expect(await firingAlerts(h)).toEqual(['error_rate_high']);

    const [fired] = await h.sink.waitForMessages(1);
    expect(fired!.mail.subject).toBe('[dataops] ALERT firing: error_rate_high (value 40, threshold 10)');
    expect(fired!.mail.text).toContain('condition: error_rate_pct > 10 over the last 3 min');

    // Healthy minutes push the bad one out of the window.
    await record(1, 10, 0);
    await record(2, 10, 0);
    await record(3, 10, 0);
    const recovered = await evaluateAlerts(deps, rules, new Date(t0 + 4 * MIN));
    expect(recovered).toEqual([{ rule: 'error_rate_high', value: 0, breached: false, transition: 'resolved' }]);
    expect((await evaluateAlerts(deps, rules, new Date(t0 + 4 * MIN)))[0]!.transition).toBeNull();
    expect(await firingAlerts(h)).toEqual([]);

    const msgs = await h.sink.waitForMessages(2);
    expect(msgs[1]!.mail.subject).toBe('[dataops] RESOLVED: error_rate_high (value 0, threshold 10)');
    await h.waitFor(() => h.completed.length >= 2, 5000, 'both notices');
    expect(await h.pending()).toBe(0);
    expect(h.sink.messages).toHaveLength(2);
  });

  it('throughput rule only fires while runs are active; too few samples give no verdict', async () => {
    const rules = parseAlertRules(
      'alerts:\n  slow:\n    metric: throughput_rows_per_min\n    op: "<"\n    threshold: 100\n    window_minutes: 2\n    min_samples: 0\n    only_while_active: true\n  errs:\n    metric: error_rate_pct\n    threshold: 1\n    min_samples: 50\n',
    );
    const keyPrefix = `${h.keyPrefix}-tp`;
    const deps = { redis: h.redis, keyPrefix, queue: h.queue, logger: h.deps.logger, groupWaitMs: 50 };
    const idle = await evaluateAlerts({ ...deps, isActive: async () => false }, rules, new Date(t0));
    expect(idle.map((r) => r.transition)).toEqual([null, null]);
    const stalled = await evaluateAlerts({ ...deps, isActive: async () => true }, rules, new Date(t0));
    expect(stalled).toEqual([
      { rule: 'slow', value: 0, breached: true, transition: 'fired' },
      { rule: 'errs', value: null, breached: null, transition: null },
    ]);
  });

  it('refuses a bad rules file naming the file and field, and reads the shipped alerts.yaml', async () => {
    expect(() => parseAlertRules('alerts:\n  x:\n    metric: cpu\n    threshold: 1\n', 'alerts.yaml')).toThrow(ValidationError);
    expect(() => parseAlertRules('alerts:\n  x:\n    metric: cpu\n    threshold: 1\n', 'alerts.yaml')).toThrow(/^alerts\.yaml: alerts\.x\.metric: /);
    expect(() => parseAlertRules('alerts:\n  x:\n    metric: error_rate_pct\n', 'a.yaml')).toThrow(/a\.yaml: alerts\.x\.threshold/);
    const shipped = await loadAlertRules(path.resolve(__dirname, '../../../resources/alerts.yaml'));
    expect(shipped.map((r) => r.name)).toEqual(['error_rate_high', 'throughput_low', 'queue_wait_high', 'chunk_latency_p95_high']);
    expect(await loadAlertRules('/nonexistent/alerts.yaml')).toEqual([]);
  });
});
