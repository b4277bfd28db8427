/**
 * File names of the data layout (the public contract):
 * `raw/<source>_<YYYYMMDD_HHMMSS>.parquet`, `processed/<pipeline>_<tag>.parquet`,
 * `output/<output>_<tag>.csv`, `reports/<runId>.json`, `runs/<runId>/parts/part-00000.parquet`.
 */
import { ValidationError } from '../errors';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

function checkName(value: string, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.includes('..')) {
    throw new ValidationError(`"${String(value)}" is not a valid name (letters, digits, . _ - : ; no slashes)`, { field });
  }
  return value;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDD_HHMMSS` in UTC. */
export function timestampTag(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new ValidationError('invalid date for a file name', { field: 'date' });
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** `raw/<source>_<tag>.parquet` */
export function rawKey(source: string, d: Date): string {
  return `raw/${checkName(source, 'source')}_${timestampTag(d)}.parquet`;
}

/** `processed/<pipeline>_<tag>.parquet` */
export function processedKey(pipeline: string, d: Date): string {
  return `processed/${checkName(pipeline, 'pipeline')}_${timestampTag(d)}.parquet`;
}

/** `output/<output>_<tag>.csv` */
export function outputKey(output: string, d: Date): string {
  return `output/${checkName(output, 'output')}_${timestampTag(d)}.csv`;
}

/** `reports/<runId>.json` */
export function reportKey(runId: string): string {
  return `reports/${checkName(runId, 'runId')}.json`;
}

/** `runs/<runId>/` — everything a run writes besides its published datasets. */
export function runPrefix(runId: string): string {
  return `runs/${checkName(runId, 'runId')}/`;
}

/** `runs/<runId>/parts/part-<5-digit index>.parquet` */
export function partKey(runId: string, chunkIndex: number): string {
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0) {
    throw new ValidationError(`chunk index must be a non-negative integer, got ${chunkIndex}`, { field: 'chunkIndex' });
  }
  return `${runPrefix(runId)}parts/part-${pad(chunkIndex, 5)}.parquet`;
}
