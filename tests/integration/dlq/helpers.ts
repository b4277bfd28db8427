/** Shared setup of the DLQ and notify-e2e tests: pipelines that fail on purpose, and polling with a deadline. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import type { Harness } from '../../support/harness';

/** Pipelines used by these tests (appended under `pipelines:`). */
export const DLQ_PIPELINES = `
  dlq_mark:
    source: sample
    options: { rows: 90 }
    task: normalize_text
    chunk_size: 30
    output: dlq_mark
  dlq_fail:
    source: sample
    options: { rows: 90 }
    task: normalize_text
    chunk_size: 30
    on_chunk_failure: fail
    output: dlq_fail
  dlq_missing:
    source: file
    options: { path: "no-such-file-*.csv", text_column: text }
    task: normalize_text
    chunk_size: 20
    output: dlq_missing
`;

/**
 * Make a chunk's part unwritable: a folder (not empty) at the part's final
 * path makes the atomic rename fail with EISDIR on every attempt. Returns a
 * function that removes the fault.
 */
export async function blockPart(h: Harness, runId: string, chunkIndex: number): Promise<() => Promise<void>> {
  const dir = path.join(h.dataDir, 'runs', runId, 'parts', `part-${String(chunkIndex).padStart(5, '0')}.parquet`);
  await fs.mkdir(path.join(dir, 'blocker'), { recursive: true });
  return () => fs.rm(dir, { recursive: true, force: true });
}

/** Poll `fn` until it returns a value that is not undefined, or fail after `timeoutMs`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // No event reports these states (they are written by our own failure handlers): poll with a deadline.
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run a housekeeping task through the real maintenance queue and worker; resolves with its return value. */
export async function runHousekeeping<T>(h: Harness, task: string): Promise<T> {
  const events = new QueueEvents('maintenance', { connection: { url: h.config.redisUrl }, prefix: h.prefix });
  try {
    await events.waitUntilReady();
    const job = await h.res.queues.maintenance.add('housekeeping', { task }, { removeOnComplete: true, removeOnFail: true });
    return (await job.waitUntilFinished(events, 20_000)) as T;
  } finally {
    await events.close();
  }
}

/** Unique run id for a test. */
export function testRunId(tag: string): string {
  return `${tag}-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
