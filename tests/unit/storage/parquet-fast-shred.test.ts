/** The fast flat-schema shredder must build exactly what the library's own shredder builds. */
import { ParquetSchema } from 'parquetjs-lite';
import { parquetSchemaFor } from '../../../src/storage/parquet-schemas';
import { makeFastShred } from '../../../src/storage/parquet-fast-shred';
import { processedRow, rawRow } from '../../integration/storage/fixtures';

// The library's original, captured before any shim can replace it.
const original = jest.requireActual('parquetjs-lite/lib/shred').shredRecord as (s: unknown, r: unknown, b: object) => void;

describe('fast shredder', () => {
  const fast = makeFastShred(original as never) as (s: unknown, r: unknown, b: object) => void;

  test.each([
    ['raw', (i: number) => rawRow(i)],
    ['processed', (i: number) => processedRow(i)],
  ] as const)('%s rows shred identically (values, levels, counts, distinct values)', (kind, make) => {
    const schema = parquetSchemaFor(kind);
    const a = {};
    const b = {};
    for (let i = 0; i < 200; i++) {
      original(schema, make(i), a);
      fast(schema, make(i), b);
    }
    // Distinct values are only read for columns with statistics (here: id); the fast path skips the rest on purpose.
    const noStats = (buf: { columnData?: Record<string, { distinct_values: Set<unknown> }> }) => {
      for (const [k, col] of Object.entries(buf.columnData ?? {})) if (k !== 'id') col.distinct_values = new Set();
      return buf;
    };
    expect((b as { columnData: Record<string, { distinct_values: Set<unknown> }> }).columnData.id!.distinct_values.size).toBe(200);
    expect(noStats(b)).toEqual(noStats(a));
  });

  test('required column missing: same error, buffer untouched', () => {
    const schema = parquetSchemaFor('raw');
    const b: Record<string, unknown> = {};
    fast(schema, rawRow(0), b);
    const before = JSON.stringify(b, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
    expect(() => fast(schema, { ...rawRow(1), source: null }, b)).toThrow('missing required field: source');
    expect(JSON.stringify(b, (_k, v: unknown) => (v instanceof Set ? [...v] : v))).toBe(before);
  });

  test('nested schemas fall back to the original', () => {
    const schema = new ParquetSchema({ a: { type: 'UTF8' } } as never);
    const nested = new ParquetSchema({ s: { fields: { x: { type: 'INT32' } } } } as never);
    const calls: unknown[] = [];
    const spy = makeFastShred(((s: unknown) => calls.push(s)) as never) as (s: unknown, r: unknown, b: object) => void;
    spy(nested, { s: { x: 1 } }, {});
    spy(schema, { a: 'x' }, {});
    expect(calls).toEqual([nested]);
  });
});
