/**
 * Work-arounds for parquetjs-lite bugs, applied once, explicitly, by the
 * storage readers and writers (never at import time).
 */
import { PARQUET_LOGICAL_TYPES } from 'parquetjs-lite/lib/types';
import shred from 'parquetjs-lite/lib/shred';
import { makeFastShred } from './parquet-fast-shred';

let applied = false;

/** Convert an INT64 read back as BigInt (or number) to a JS number. */
function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/**
 * Patch timestamp decoding: the library does `new Date(+bigint)`, which throws
 * "Cannot convert a BigInt value to a number" on every INT64 timestamp.
 * Also installs a fast row shredder for flat schemas (see parquet-fast-shred.ts).
 * Idempotent.
 */
export function applyParquetShim(): void {
  if (applied) return;
  const millis = PARQUET_LOGICAL_TYPES.TIMESTAMP_MILLIS;
  const micros = PARQUET_LOGICAL_TYPES.TIMESTAMP_MICROS;
  if (millis) millis.fromPrimitive = (v: unknown) => new Date(toNumber(v));
  if (micros) {
    micros.fromPrimitive = (v: unknown) =>
      new Date(typeof v === 'bigint' ? Number(v / 1000n) : Math.floor(toNumber(v) / 1000));
  }
  shred.shredRecord = makeFastShred(shred.shredRecord as never) as never;
  applied = true;
}

/** An INT64 value as a number when it is a safe integer, else as a decimal string. */
export function int64ToJs(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}
