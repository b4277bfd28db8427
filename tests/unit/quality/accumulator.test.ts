import { check, named, processed, raw, NOW } from './rows';
import { QualityAccumulator, qualityConfigSchema, qualityFailureReason } from '../../../src/quality';

describe('QualityAccumulator verdict', () => {
  const rows = [raw(1, 'a'), raw(2, null), raw(3, null), raw(4, 'd')];

  it('fails the gate on a fatal check and names it in the reason', () => {
    const r = check({ required_columns: ['raw_text'], max_null_ratio: 0.1 }, rows);
    expect(r).toMatchObject({ stage: 'raw', passed: false, rows: 4, warnings: [] });
    expect(qualityFailureReason(r)).toBe('raw quality gate failed: null_ratio (null/empty ratio too high: raw_text 50.0% > 10.0%)');
  });

  it('only warns for checks listed under warn', () => {
    const r = check({ max_null_ratio: 0.1, warn: ['null_ratio'] }, rows);
    expect(r.passed).toBe(true);
    expect(named(r, 'null_ratio')).toMatchObject({ passed: false, severity: 'warn' });
    expect(r.warnings).toEqual(['null_ratio: null/empty ratio too high: raw_text 50.0% > 10.0%']);
    expect(qualityFailureReason(r)).toBeNull();
  });

  it('scores as the mean of check scores and gates on min_score', () => {
    const r = check({ max_null_ratio: 0.6 }, rows);
    const mean = r.checks.reduce((s, c) => s + c.score, 0) / r.checks.length;
    expect(r.score).toBeCloseTo(mean, 6);
    expect(r.passed).toBe(true);
    const strict = check({ max_null_ratio: 0.6, min_score: 0.95 }, rows);
    expect(strict.passed).toBe(false);
    expect(qualityFailureReason(strict)).toContain('below min_score 0.95');
  });

  it('merges per-task overrides over the pipeline config', () => {
    const cfg = qualityConfigSchema.parse({ required_columns: ['raw_text'], max_null_ratio: 0.1, dedupe: true });
    const acc = new QualityAccumulator(cfg, 'raw', { now: NOW, engine: 'rules', taskQuality: { max_null_ratio: 0.9 } });
    expect(acc.config).toMatchObject({ required_columns: ['raw_text'], dedupe: true, max_null_ratio: 0.9 });
    for (const r of rows) acc.add(r);
    expect(acc.finish().passed).toBe(true);
  });

  it('runs only raw-stage checks at the raw stage (fail fast before LLM spend)', () => {
    const cfg = { max_failed_ratio: 0, llm_checks: { language: 'ko' as const } };
    const p = [processed(1, 'x', null)];
    const atRaw = check(cfg, p, { stage: 'raw', engine: 'llm' });
    expect(atRaw.checks.map((c) => c.name)).toEqual(['column_types', 'duplicates']);
    const atProcessed = check(cfg, p, { stage: 'processed', engine: 'llm' });
    expect(atProcessed.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['failed_ratio', 'empty_output', 'language_change']));
    expect(atProcessed.passed).toBe(false);
  });

  it('handles zero rows and refuses rows after finish', () => {
    const acc = new QualityAccumulator(qualityConfigSchema.parse({ max_null_ratio: 0 }), 'raw', { now: NOW, engine: 'rules' });
    expect(acc.finish()).toMatchObject({ passed: true, rows: 0, score: 1 });
    expect(() => acc.add(raw(1, 'a'))).toThrow('after finish');
  });

  it('keeps at most 20 failing rows per check', () => {
    const many = Array.from({ length: 500 }, (_, i) => raw(i + 1, null));
    const c = named(check({ max_null_ratio: 0 }, many), 'null_ratio');
    expect(c.failing).toHaveLength(20);
    expect(c.details).toMatchObject({ rows: 500 });
  });
});
