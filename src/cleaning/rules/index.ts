/**
 * The rules engine: named deterministic text steps from a task file's
 * `rules.before` / `rules.after`, applied in the order written. Compile a list
 * once per task with {@link compileRules}, then call the result per row.
 */
import { RULE_STEP_NAMES, type RuleStep, type RuleStepName } from '../../resources/schemas';
import { decodeEntities, stripHtml } from './html';
import { fixMojibake } from './mojibake';
import { makeMaskPii } from './pii';
import { makeNormalizeUnicode } from './unicode';
import { makeTruncate, normalizeWhitespace, trim } from './whitespace';

/** A compiled rules pipeline (or single step): text in, text out. */
export type RuleFn = (text: string) => string;

/** Names of every step the engine knows. */
export const RULE_NAMES: readonly RuleStepName[] = RULE_STEP_NAMES;

/** Build the function for one step as written in a task file. */
function compileStep(step: RuleStep): RuleFn {
  if (typeof step === 'string') {
    switch (step) {
      case 'strip_html':
        return stripHtml;
      case 'decode_entities':
        return decodeEntities;
      case 'normalize_whitespace':
        return normalizeWhitespace;
      case 'normalize_unicode':
        return makeNormalizeUnicode('NFC');
      case 'fix_mojibake':
        return fixMojibake;
      case 'mask_pii':
        return makeMaskPii();
      case 'trim':
        return trim;
    }
  } else if ('normalize_unicode' in step) {
    return makeNormalizeUnicode(step.normalize_unicode.form ?? 'NFC');
  } else if ('truncate' in step) {
    return makeTruncate(step.truncate.max_length);
  } else if ('mask_pii' in step) {
    return makeMaskPii(step.mask_pii);
  }
  throw new Error(`unknown rule step ${JSON.stringify(step)} (known steps: ${RULE_NAMES.join(', ')})`);
}

/**
 * Compile steps into one function. Regexes and options are prepared here, so
 * the returned function does only the per-row work. An empty list is the identity.
 */
export function compileRules(steps: readonly RuleStep[]): RuleFn {
  const fns = steps.map(compileStep);
  if (fns.length === 0) return (text) => text;
  if (fns.length === 1) return fns[0]!;
  return (text) => {
    let out = text;
    for (let i = 0; i < fns.length; i++) out = fns[i]!(out);
    return out;
  };
}

/** Apply steps to one text (compiles each call; use {@link compileRules} in loops). `null` stays `null`. */
export function applyRules(text: string | null, steps: readonly RuleStep[]): string | null {
  return text === null ? null : compileRules(steps)(text);
}
