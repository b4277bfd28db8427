/**
 * File names carry a second-resolution timestamp (contract), so two runs that
 * start in the same second would collide. Each run reserves its names in
 * Redis (SET NX) and moves one second on when a name is taken.
 */
import type { Redis } from 'ioredis';
import { outputKey, processedKey, rawKey } from '../storage/names';

/** The data keys a run will write. */
export interface RunKeys {
  raw: string;
  processed: string;
  output: string;
}

const RESERVATION_TTL_SECONDS = 14 * 24 * 3600;

/** Reserve raw/processed/output keys for a run; idempotent for the same run id. */
export async function reserveRunKeys(
  redis: Redis,
  keyPrefix: string,
  run: { runId: string; source: string; pipeline: string; output: string; at: Date },
): Promise<RunKeys> {
  const pick = async (make: (d: Date) => string): Promise<string> => {
    for (let i = 0; i < 3600; i++) {
      const key = make(new Date(run.at.getTime() + i * 1000));
      const slot = `${keyPrefix}:name:${key}`;
      const ok = await redis.set(slot, run.runId, 'EX', RESERVATION_TTL_SECONDS, 'NX');
      if (ok === 'OK' || (await redis.get(slot)) === run.runId) return key;
    }
    throw new Error(`no free file name for run ${run.runId} within an hour of ${run.at.toISOString()}`);
  };
  return {
    raw: await pick((d) => rawKey(run.source, d)),
    processed: await pick((d) => processedKey(run.pipeline, d)),
    output: await pick((d) => outputKey(run.output, d)),
  };
}
