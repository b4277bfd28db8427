/** The contract between a chunk job and whatever cleans its rows (rules, LLM, or both). */
import type { LlmUsage, RowStatus } from '../types';

/** One row handed to a cleaner. */
export interface CleanInput {
  id: number;
  text: string | null;
  metadata: Record<string, unknown> | null;
}

/** The outcome for one row. Failed rows keep `cleaned_text` null and say why in `error`. */
export interface CleanOutput {
  id: number;
  cleaned_text: string | null;
  status: RowStatus;
  error: string | null;
  /** The model that produced the text, or null for rules-only. */
  llm_model: string | null;
}

/** Cleans batches of rows. One instance per chunk job. */
export interface RowCleaner {
  /** Clean a batch. Resolves with exactly one output per input, in input order. */
  clean(rows: CleanInput[], signal?: AbortSignal): Promise<CleanOutput[]>;
  /** LLM usage so far (zeros for rules-only). */
  usage(): LlmUsage;
}
