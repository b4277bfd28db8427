import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../../src/errors';
import { readCsvRecords, readParquetRecords } from '../../../src/storage/readers';
import { tempDir } from '../../integration/storage/fixtures';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('generic input readers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('readers')));
  afterEach(async () => cleanup());

  test('readCsvRecords: header, BOM, quoting, custom delimiter', async () => {
    const a = path.join(dir, 'a.csv');
    await writeFile(a, '\ufeffid,text\r\n1,"x, ""y""\nz"\r\n2,한국어 😀\r\n');
    expect(await all(readCsvRecords(a))).toEqual([
      { id: '1', text: 'x, "y"\nz' },
      { id: '2', text: '한국어 😀' },
    ]);
    const b = path.join(dir, 'b.tsv');
    await writeFile(b, 'id\ttext\n1\ta,b\n');
    expect(await all(readCsvRecords(b, { delimiter: '\t' }))).toEqual([{ id: '1', text: 'a,b' }]);
  });

  test('readCsvRecords: malformed or missing files are ValidationErrors naming the file', async () => {
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'a,b\n1,2,3\n');
    await expect(all(readCsvRecords(bad))).rejects.toThrow(ValidationError);
    await expect(all(readCsvRecords(bad))).rejects.toThrow(`${bad}: not a valid CSV file`);
    await expect(all(readCsvRecords(path.join(dir, 'none.csv')))).rejects.toThrow(/none\.csv: file does not exist/);
  });

  test('readParquetRecords: missing and non-Parquet files', async () => {
    await expect(all(readParquetRecords(path.join(dir, 'none.parquet')))).rejects.toThrow(/none\.parquet: file does not exist/);
    const txt = path.join(dir, 'x.parquet');
    await writeFile(txt, 'hello');
    await expect(all(readParquetRecords(txt))).rejects.toThrow(`${txt}: not a valid Parquet file`);
  });
});
