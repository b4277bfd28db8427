/**
 * Sanity checks on LLM outputs (processed stage, cleaned rows only): empty
 * outputs, outputs much longer than the input, leftover HTML, and a changed
 * script where `language` is configured.
 */
import type { z } from 'zod';
import type { llmChecksSchema } from '../config';
import type { CheckResult, RowCheck } from '../types';
import { countScripts, expectedShare, hasHtml, isBlank } from '../text';
import { type CheckEnv, RatioCounter } from './common';

type LlmChecks = z.infer<typeof llmChecksSchema>;

/** Inputs shorter than this count as this long, so "hi" → "Hello!" is not flagged. */
const MIN_INPUT_LENGTH = 20;
/** Outputs with fewer letters than this are not judged for script. */
const MIN_LETTERS = 3;

/**
 * Script rule: an output is "changed" when under half its letters are in the
 * expected script AND that share fell below 80% of the input's share (so a
 * Korean review quoting English product names is not flagged when the input
 * had them too). Hangul vs Latin vs CJK ratios, not language identification.
 */
function languageChanged(input: string, output: string, language: NonNullable<LlmChecks['language']>): string | null {
  const out = countScripts(output);
  if (out.letters < MIN_LETTERS) return null;
  const outShare = expectedShare(out, language);
  if (outShare >= 0.5) return null;
  const inShare = expectedShare(countScripts(input), language);
  if (outShare >= 0.8 * inShare) return null;
  return `output is ${(outShare * 100).toFixed(0)}% ${language} script (input ${(inShare * 100).toFixed(0)}%)`;
}

/** The LLM output checks for one stage. */
export function llmOutputChecks(env: CheckEnv, cfg: LlmChecks): { add: RowCheck['add']; finish(): CheckResult[] } {
  const empty = new RatioCounter('empty_output', env, cfg.max_empty_ratio);
  const long = new RatioCounter('long_output', env, cfg.max_long_output_ratio);
  const html = new RatioCounter('html_output', env, cfg.max_html_ratio);
  const lang = cfg.language ? new RatioCounter('language_change', env, cfg.max_language_change_ratio) : null;
  return {
    add({ row, id }) {
      if (row.status !== 'cleaned') return; // failed rows are the failed_ratio check's business
      const input = typeof row.raw_text === 'string' ? row.raw_text : '';
      const output = typeof row.cleaned_text === 'string' ? row.cleaned_text : '';
      if (isBlank(input)) return;
      empty.observe(id, isBlank(output) ? 'empty output for a non-empty input' : null);
      if (isBlank(output)) return;
      const limit = cfg.max_length_ratio * Math.max(input.length, MIN_INPUT_LENGTH);
      long.observe(id, output.length > limit ? `output is ${output.length} chars for a ${input.length}-char input` : null);
      html.observe(id, hasHtml(output) ? 'output still contains HTML' : null);
      if (lang && cfg.language) lang.observe(id, languageChanged(input, output, cfg.language));
    },
    finish() {
      const out = [
        empty.result('cleaned rows with empty output'),
        long.result(`cleaned rows longer than ${cfg.max_length_ratio}x their input`, { maxLengthRatio: cfg.max_length_ratio }),
        html.result('cleaned rows still containing HTML'),
      ];
      if (lang) out.push(lang.result(`cleaned rows not in the ${cfg.language} script`, { language: cfg.language, method: 'script ratio (Hangul/Latin/CJK)' }));
      return out;
    },
  };
}
