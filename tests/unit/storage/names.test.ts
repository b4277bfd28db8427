import { ValidationError } from '../../../src/errors';
import { outputKey, partKey, processedKey, rawKey, reportKey, runPrefix, timestampTag } from '../../../src/storage/names';

describe('storage names', () => {
  const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

  test('timestampTag is YYYYMMDD_HHMMSS in UTC', () => {
    expect(timestampTag(d)).toBe('20260102_030405');
    expect(timestampTag(new Date('2026-12-31T23:59:59.999+09:00'))).toBe('20261231_145959');
    expect(() => timestampTag(new Date('nope'))).toThrow(ValidationError);
  });

  test('keys follow the contract layout', () => {
    expect(rawKey('sample', d)).toBe('raw/sample_20260102_030405.parquet');
    expect(processedKey('sample_daily', d)).toBe('processed/sample_daily_20260102_030405.parquet');
    expect(outputKey('final_data', d)).toBe('output/final_data_20260102_030405.csv');
    expect(reportKey('run-42')).toBe('reports/run-42.json');
    expect(runPrefix('run-42')).toBe('runs/run-42/');
    expect(partKey('run-42', 7)).toBe('runs/run-42/parts/part-00007.parquet');
    expect(partKey('run-42', 123456)).toBe('runs/run-42/parts/part-123456.parquet');
  });

  test('names that could escape or nest are refused', () => {
    expect(() => rawKey('../etc', d)).toThrow(/source/);
    expect(() => processedKey('a/b', d)).toThrow(ValidationError);
    expect(() => reportKey('')).toThrow(/runId/);
    expect(() => partKey('r', -1)).toThrow(/chunk index/);
    expect(() => partKey('r', 1.5)).toThrow(ValidationError);
  });
});
