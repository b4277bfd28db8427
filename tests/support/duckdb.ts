/**
 * Query files with DuckDB from tests, as an independent reader of what the
 * storage layer writes. One in-memory instance per call, closed afterwards.
 */
import { DuckDBInstance } from '@duckdb/node-api';

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Run `sql` and return the rows as plain objects (BIGINT as number when safe, timestamps as Date). */
export async function duckQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      const result = await conn.run(sql);
      const rows = await result.getRowObjectsJS();
      return rows.map((r) => plain(r) as Record<string, unknown>);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Quote a path for use inside a DuckDB SQL string literal. */
export function sqlPath(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}
