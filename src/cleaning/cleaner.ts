/**
 * Compose a task's cleaning: `rules.before`, then the engine (LLM, or nothing
 * for rules-only tasks), then `rules.after`. A row that throws in a rules step
 * is marked failed with the step's error; it is never dropped.
 */
import type { TaskDef } from '../resources/schemas';
import { emptyUsage } from '../types';
import { compileRules, type RuleFn } from './rules';
import type { CleanInput, CleanOutput, RowCleaner } from './types';

/** Builds the LLM engine for a task; injected so rules-only processes need no LLM setup. */
export type LlmCleanerFactory = (task: TaskDef) => RowCleaner;

function applySafe(fn: RuleFn, text: string | null): { text: string | null; error?: string } {
  if (text === null) return { text: null };
  try {
    return { text: fn(text) };
  } catch (err) {
    return { text: null, error: `rules: ${(err as Error).message}` };
  }
}

/** Create the cleaner for one chunk of a task. */
export function createCleaner(task: TaskDef, llmFactory?: LlmCleanerFactory): RowCleaner {
  const before = compileRules(task.rules.before);
  const after = compileRules(task.rules.after);
  if (task.engine === 'rules') {
    return {
      async clean(rows: CleanInput[]): Promise<CleanOutput[]> {
        return rows.map((r) => {
          const a = applySafe(before, r.text);
          const b = a.error ? a : applySafe(after, a.text);
          return b.error
            ? { id: r.id, cleaned_text: null, status: 'failed', error: b.error, llm_model: null }
            : { id: r.id, cleaned_text: b.text, status: 'cleaned', error: null, llm_model: null };
        });
      },
      usage: emptyUsage,
    };
  }
  if (!llmFactory) throw new Error(`task ${task.task_name} uses the llm engine but no LLM client is configured`);
  const llm = llmFactory(task);
  return {
    async clean(rows: CleanInput[], signal?: AbortSignal): Promise<CleanOutput[]> {
      const prepared = rows.map((r) => ({ row: r, pre: applySafe(before, r.text) }));
      const toSend = prepared.filter((p) => !p.pre.error).map((p) => ({ ...p.row, text: p.pre.text }));
      // Outputs come back in input order, one per input (RowCleaner contract); match by position so
      // sources with repeated ids still line up.
      const results = await llm.clean(toSend, signal);
      let next = 0;
      return prepared.map(({ row, pre }): CleanOutput => {
        if (pre.error) return { id: row.id, cleaned_text: null, status: 'failed', error: pre.error, llm_model: null };
        const out = results[next++];
        if (!out) return { id: row.id, cleaned_text: null, status: 'failed', error: 'llm: no result for row', llm_model: null };
        if (out.status === 'failed') return out;
        const post = applySafe(after, out.cleaned_text);
        return post.error
          ? { ...out, cleaned_text: null, status: 'failed', error: post.error }
          : { ...out, cleaned_text: post.text };
      });
    },
    usage: () => llm.usage(),
  };
}
