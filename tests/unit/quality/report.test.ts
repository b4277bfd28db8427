import { buildRunReport, createDeduper, dedupeText } from '../../../src/quality';
import { check, processed, raw } from './rows';

describe('buildRunReport', () => {
  it('carries dedupe counts before/after and a processed row count that matches', () => {
    const collected = [raw(1, 'x'), raw(2, 'y'), raw(3, 'x'), raw(4, 'z'), raw(5, 'y')];
    const rawResult = check({ dedupe: true }, collected);
    const deduper = createDeduper({ near: false });
    const kept = collected.filter((r) => !deduper.isDuplicate(dedupeText(r, 'raw'))).map((r) => processed(r.id, r.raw_text, r.raw_text!.toUpperCase()));
    const processedResult = check({ dedupe: true }, kept, { stage: 'processed' });
    expect(processedResult.checks.find((c) => c.name === 'duplicates')!.details).toMatchObject({ duplicates: 0, unique: 3 });
    const report = buildRunReport({
      runId: 'run-1',
      pipeline: 'sample_daily',
      task: 'normalize_text',
      source: 'sample',
      state: 'completed',
      createdAt: new Date('2026-11-22T02:00:00Z'),
      stages: { raw: rawResult, processed: processedResult },
      counts: { rowsCollected: collected.length, rowsCleaned: kept.length, duplicatesRemoved: deduper.stats().duplicates, rowsOutput: kept.length },
      timings: { collect: 10 },
      llm: { requests: 2, tokens: 30 },
      outputs: { csv: '/data/output/final_data_20261122_020000.csv' },
    });
    expect(report.counts).toEqual({ rowsCollected: 5, rowsCleaned: 3, rowsFailed: 0, duplicatesRemoved: 2, rowsOutput: 3 });
    expect(report.stages.raw!.checks.find((c) => c.name === 'duplicates')!.details).toMatchObject({ duplicates: 2, unique: 3 });
    expect(report.stages.processed!.rows).toBe(report.counts.rowsOutput);
    expect(report).toMatchObject({ passed: true, reason: null, createdAt: '2026-11-22T02:00:00.000Z', llm: { requests: 2, tokens: 30, costUsd: 0 } });
    expect(report.score).toBe(processedResult.score);
    expect(report.failingSample).toEqual([
      { id: 3, reason: 'raw_text repeats an earlier row', check: 'raw.duplicates' },
      { id: 5, reason: 'raw_text repeats an earlier row', check: 'raw.duplicates' },
    ]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('names the failed check as the reason and lists failing rows of failed checks first', () => {
    const r = check({ max_null_ratio: 0, dedupe: true }, [raw(1, 'a'), raw(2, 'a'), raw(3, null)]);
    const report = buildRunReport({ runId: 'r', pipeline: 'p', task: 't', source: 's', state: 'failed', stages: { raw: r } });
    expect(report.passed).toBe(false);
    expect(report.reason).toContain('null_ratio');
    expect(report.failingSample[0]).toEqual({ id: 3, reason: 'raw_text is null or empty', check: 'raw.null_ratio' });
    expect(report.counts.rowsOutput).toBe(0);
    expect(buildRunReport({ runId: 'r', pipeline: 'p', task: 't', source: 's', state: 'failed', error: 'collector timed out' }).reason).toBe('collector timed out');
  });
});
