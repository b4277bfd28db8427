/** `normalize_unicode`: one Unicode normal form for every row. */

/** A Unicode normalization form. */
export type NormalForm = 'NFC' | 'NFKC' | 'NFD' | 'NFKD';

// Printable ASCII is the same in every normal form; skipping it avoids ICU work on most English rows.
const NON_ASCII = /[^ -~\t\n\r]/;

/**
 * Build the `normalize_unicode` step. NFC (the default) composes "e + ◌́"
 * into "é" and Hangul jamo into syllables; NFKC also folds compatibility
 * forms such as fullwidth "ｆｕｌｌ１２" into "full12".
 */
export function makeNormalizeUnicode(form: NormalForm = 'NFC'): (text: string) => string {
  return (text) => (NON_ASCII.test(text) ? text.normalize(form) : text);
}
