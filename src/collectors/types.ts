/**
 * The collector plugin contract. A collector is one file exporting one
 * {@link Collector} object; `registry.ts` lists them. Adding a source means
 * adding one file and one list entry.
 */
import type { z } from 'zod';
import type { Logger } from '../logger';
import type { CollectedRow } from '../types';

/** What a collector gets from the run besides its options. */
export interface CollectContext {
  logger: Logger;
  /** Aborts the collection (run cancelled, worker shutting down). */
  signal?: AbortSignal;
  /** Environment for collectors that read named header/secret variables (never log values). */
  env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of DATA_DIR; the file collector reads only under `<dataDir>/inbox`. */
  dataDir: string;
  /** Called after transient failures (retries) so the run can log and alert. */
  onRetry?: (info: RetryInfo) => void;
}

/** One retry of a transient failure, as reported to {@link CollectContext.onRetry}. */
export interface RetryInfo {
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** What went wrong, without secrets. */
  error: string;
  /** How long the collector waits before the next attempt. */
  waitMs: number;
}

/** A source plugin: a name, a zod options schema with defaults, and a row stream. */
export interface Collector<O = unknown> {
  /** Registry name, used as `source:` in pipelines.yaml and in raw file names. */
  readonly name: string;
  /** One line for `GET /api/sources`. */
  readonly description: string;
  /** Validates and defaults the options; unknown keys are refused. */
  readonly options: z.ZodType<O>;
  /**
   * Stream rows lazily. Breaking out of the loop early releases every
   * resource (files, sockets). `options` must already be parsed by `options`.
   */
  collect(options: O, ctx: CollectContext): AsyncIterable<CollectedRow>;
  /**
   * Optional checks when a run is queued, so a request that can never be
   * safe (e.g. a path escaping its folder) gets a 4xx at once. Data that may
   * still arrive before the run starts is not required here.
   */
  preflight?(options: O, ctx: Pick<CollectContext, 'dataDir' | 'env'>): Promise<void>;
}
