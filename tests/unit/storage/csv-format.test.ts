/** The hand-written CSV formatter against a real CSV parser. */
import { parse } from 'csv-parse/sync';
import { csvField, csvLine } from '../../../src/storage/csv';

describe('csvField', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    [' lead', '" lead"'],
    ['trail ', '"trail "'],
    [42, '42'],
    [true, 'true'],
    [new Date(Date.UTC(2026, 10, 22, 1, 2, 3, 4)), '2026-11-22T01:02:03.004Z'],
    [{ a: 1 }, '"{""a"":1}"'],
  ])('formats %p as %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

it('round-trips awkward text through csv-parse', () => {
  const columns = ['id', 'text', 'note'];
  const rows = [
    { id: 1, text: 'comma, "quote" and\nnewline', note: null },
    { id: 2, text: '한국어 😀 café', note: '  spaced  ' },
    { id: 3, text: '', note: 'x\r\ny' },
  ];
  const csv = rows.map((r) => csvLine(r, columns)).join('');
  const back = parse(csv, { columns, relax_quotes: false }) as Array<Record<string, string>>;
  expect(back).toEqual([
    { id: '1', text: 'comma, "quote" and\nnewline', note: '' },
    { id: '2', text: '한국어 😀 café', note: '  spaced  ' },
    { id: '3', text: '', note: 'x\r\ny' },
  ]);
});
