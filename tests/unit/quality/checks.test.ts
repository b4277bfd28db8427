import { check, named, processed, raw, NOW } from './rows';
import { PROCESSED_SCHEMA_VERSION, RAW_SCHEMA_VERSION, type RawRow } from '../../../src/types';

const texts = (n: number) => Array.from({ length: n }, (_, i) => raw(i + 1, `row number ${i + 1}`));

describe('required_columns', () => {
  it('passes when every row has the columns', () => {
    const r = check({ required_columns: ['raw_text', 'metadata.lang'] }, [raw(1, 'a', { metadata: '{"lang":"en"}' })]);
    expect(named(r, 'required_columns')).toMatchObject({ passed: true, score: 1 });
  });
  it('fails naming the missing column and the rows', () => {
    const bad = { id: 2, source: 's', created_at: NOW, metadata: null } as unknown as RawRow;
    const r = check({ required_columns: ['raw_text'] }, [raw(1, 'a'), bad]);
    const c = named(r, 'required_columns');
    expect(c.passed).toBe(false);
    expect(c.score).toBe(0.5);
    expect(c.message).toContain('raw_text');
    expect(c.failing).toEqual([{ id: 2, reason: 'missing column raw_text' }]);
    expect(r.passed).toBe(false);
  });
});

describe('column_types', () => {
  it('passes on well-typed raw and processed rows', () => {
    expect(named(check({}, texts(3)), 'column_types').passed).toBe(true);
    expect(named(check({}, [processed(1, 'a', 'A')], { stage: 'processed' }), 'column_types').passed).toBe(true);
  });
  it.each([
    ['id', { id: 1.5 }, 'id: not a safe integer'],
    ['created_at', { created_at: new Date('nope') }, 'created_at: not a valid timestamp'],
    ['metadata', { metadata: '{not json' }, 'metadata: not a JSON object'],
  ])('flags a bad %s', (_col, patch, reason) => {
    const r = check({}, [raw(1, 'a'), raw(2, 'b', patch as Partial<RawRow>)]);
    const c = named(r, 'column_types');
    expect(c.passed).toBe(false);
    expect(c.failing[0]!.reason).toContain(reason);
  });
  it('flags a status outside cleaned/failed at the processed stage only', () => {
    const row = processed(1, 'a', 'A', { status: 'done' as never });
    expect(named(check({}, [row], { stage: 'processed' }), 'column_types').failing[0]!.reason).toContain('status');
    expect(named(check({}, [row], { stage: 'raw' }), 'column_types').passed).toBe(true);
  });
  it('flags a sidecar schema version other than the current one', () => {
    expect(named(check({}, texts(1), { schemaVersion: RAW_SCHEMA_VERSION }), 'column_types').passed).toBe(true);
    const old = named(check({}, texts(1), { schemaVersion: RAW_SCHEMA_VERSION - 1 }), 'column_types');
    expect(old).toMatchObject({ passed: false, score: 0 });
    expect(old.message).toContain('older');
    const newer = named(check({}, [processed(1, 'a', 'A')], { stage: 'processed', schemaVersion: PROCESSED_SCHEMA_VERSION + 1 }), 'column_types');
    expect(newer.message).toContain('unknown');
  });
  it('is skipped with check_types: false', () => {
    expect(check({ check_types: false }, texts(1)).checks.map((c) => c.name)).not.toContain('column_types');
  });
});

describe('null_ratio', () => {
  it('passes under the limit and fails over it, naming the column', () => {
    const rows = [...texts(9), raw(10, '   ')];
    expect(named(check({ max_null_ratio: 0.1 }, rows), 'null_ratio')).toMatchObject({ passed: true, score: 0.9 });
    const c = named(check({ max_null_ratio: 0.05 }, rows), 'null_ratio');
    expect(c.passed).toBe(false);
    expect(c.message).toContain('raw_text 10.0% > 5.0%');
    expect(c.failing).toEqual([{ id: 10, reason: 'raw_text is null or empty' }]);
  });
  it('takes a limit per column, including metadata fields', () => {
    const rows = [raw(1, 'a', { metadata: '{"lang":"en"}' }), raw(2, null, { metadata: '{}' })];
    const c = named(check({ max_null_ratio: { raw_text: 0.5, 'metadata.lang': 0.1 } }, rows), 'null_ratio');
    expect(c.passed).toBe(false);
    expect(c.message).toContain('metadata.lang');
    expect(c.message).not.toContain('raw_text');
  });
});

describe('metadata', () => {
  const cfg = { metadata: { rating: { min: 1, max: 5 }, lang: { allowed: ['en', 'ko'] } } };
  it('passes when fields are in range (missing fields are fine unless required)', () => {
    const rows = [raw(1, 'a', { metadata: '{"rating":5,"lang":"ko"}' }), raw(2, 'b', { metadata: '{}' })];
    expect(named(check(cfg, rows), 'metadata').passed).toBe(true);
  });
  it('fails on out-of-range, disallowed and missing required values', () => {
    const rows = [
      raw(1, 'a', { metadata: '{"rating":9,"lang":"ko"}' }),
      raw(2, 'b', { metadata: '{"rating":3,"lang":"fr"}' }),
      raw(3, 'c', { metadata: null }),
    ];
    const c = named(check({ metadata: { ...cfg.metadata, rating: { min: 1, max: 5, required: true } } }, rows), 'metadata');
    expect(c.passed).toBe(false);
    expect(c.failing.map((f) => f.reason)).toEqual(['metadata.rating=9 is above 5', 'metadata.lang="fr" not in [en, ko]', 'metadata.rating is missing']);
    expect(c.score).toBe(0);
  });
});

describe('freshness', () => {
  it('passes for recent rows and fails for stale ones', () => {
    expect(named(check({ freshness_hours: 2 }, texts(3)), 'freshness').passed).toBe(true);
    const stale = raw(4, 'old', { created_at: new Date(NOW.getTime() - 3 * 3_600_000) });
    const c = named(check({ freshness_hours: 2 }, [...texts(3), stale]), 'freshness');
    expect(c).toMatchObject({ passed: false, score: 0.75 });
    expect(c.failing[0]!.id).toBe(4);
    expect(named(check({ freshness_hours: 2, max_stale_ratio: 0.3 }, [...texts(3), stale]), 'freshness').passed).toBe(true);
  });
});

describe('failed_ratio', () => {
  const rows = [processed(1, 'a', 'A'), processed(2, 'b', 'B'), processed(3, 'c', null)];
  it('is a processed-stage check against max_failed_ratio', () => {
    expect(named(check({ max_failed_ratio: 0.5 }, rows, { stage: 'processed' }), 'failed_ratio').passed).toBe(true);
    const c = named(check({ max_failed_ratio: 0.2 }, rows, { stage: 'processed' }), 'failed_ratio');
    expect(c.passed).toBe(false);
    expect(c.failing).toEqual([{ id: 3, reason: 'cleaning failed: model refused' }]);
    expect(check({ max_failed_ratio: 0.2 }, rows, { stage: 'raw' }).checks.map((x) => x.name)).not.toContain('failed_ratio');
  });
});

describe('duplicates', () => {
  it('counts exact and near duplicates of raw_text without failing', () => {
    const rows = [raw(1, 'Hello, World!'), raw(2, 'Hello, World!'), raw(3, 'hello world'), raw(4, 'other'), raw(5, null)];
    const r = check({ dedupe: true, near_dedupe: true }, rows);
    expect(named(r, 'duplicates')).toMatchObject({ passed: true, details: { duplicates: 1, rows: 4 }, failing: [{ id: 2 }] });
    expect(named(r, 'near_duplicates')).toMatchObject({ passed: true, details: { duplicates: 1 }, failing: [{ id: 3 }] });
    expect(named(r, 'duplicates').score).toBe(0.75);
    expect(check({ dedupe: true }, rows).checks.map((c) => c.name)).not.toContain('near_duplicates');
  });
  it('compares cleaned_text of cleaned rows at the processed stage (failed rows never count)', () => {
    const rows = [processed(1, 'a', 'Same'), processed(2, 'b', 'Same'), processed(3, 'c', null), processed(4, 'c', null)];
    const c = named(check({ dedupe: true }, rows, { stage: 'processed' }), 'duplicates');
    expect(c).toMatchObject({ details: { duplicates: 1, rows: 2 }, failing: [{ id: 2, reason: 'cleaned_text repeats an earlier row' }] });
  });
});
