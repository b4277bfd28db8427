/**
 * The analysts' CSV: UTF-8 with BOM, header row, no index column, RFC 4180
 * quoting and CRLF line ends, Dates as ISO 8601, null/undefined as empty.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ValidationError } from '../errors';
import type { SidecarMeta } from '../types';
import { assertSafeKey } from './keys';
import type { ObjectStore } from './object-store';
import { buildSidecar, writeSidecar, type SidecarInput } from './sidecar';

/** Schema version recorded in CSV sidecars (the CSV mirrors the processed columns chosen by the caller). */
export const CSV_SCHEMA_VERSION = 1;

/**
 * Stream `rows` into a CSV under `key` atomically (with backpressure), then its sidecar.
 * Only `columns` are written, in that order. On any error nothing is left under `key`.
 * @returns the sidecar that was written.
 */
export async function writeCsv(
  store: ObjectStore,
  key: string,
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  columns: readonly string[],
  meta: SidecarInput,
): Promise<SidecarMeta> {
  const safeKey = assertSafeKey(key);
  if (columns.length === 0) throw new ValidationError('at least one column is required', { file: store.uri(safeKey), field: 'columns' });
  let count = 0;
  async function* counted(): AsyncIterable<Record<string, unknown>> {
    for await (const row of rows) {
      count++;
      yield row;
    }
  }
  const stringifier = stringify({
    header: true,
    bom: true,
    columns: [...columns],
    record_delimiter: '\r\n',
    // csv-stringify only quotes the configured record delimiter (CRLF); a bare LF or CR inside a field
    // must be quoted too (RFC 4180), and leading/trailing spaces are quoted so readers do not trim them.
    quoted_match: [/[\r\n]/, /^\s|\s$/],
    cast: {
      date: (d: Date) => d.toISOString(),
      boolean: (b: boolean) => (b ? 'true' : 'false'),
      bigint: (n: bigint) => n.toString(),
      object: (o: object) => JSON.stringify(o),
    },
  });
  const w = await store.openWrite(safeKey);
  try {
    await pipeline(Readable.from(counted()), stringifier, w.stream);
    const { bytes, sha256 } = await w.commit();
    const sidecar = buildSidecar(store, safeKey, meta, { format: 'csv', rows: count, bytes, sha256, schemaVersion: CSV_SCHEMA_VERSION });
    try {
      await writeSidecar(store, sidecar);
    } catch (err) {
      await store.delete(safeKey).catch(() => undefined);
      throw err;
    }
    return sidecar;
  } catch (err) {
    await w.abort();
    throw err;
  }
}
