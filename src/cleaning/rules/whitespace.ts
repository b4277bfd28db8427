/** Whitespace and length steps: `normalize_whitespace`, `trim`, `truncate`. */

// Invisible format characters with no meaning in plain text: zero-width space,
// word joiner, BOM, Mongolian vowel separator. ZWJ/ZWNJ are kept: they build
// emoji sequences and are part of Persian and Indic spelling.
const INVISIBLE = /[\u200B\u2060\uFEFF\u180E]/g;
// JS \s covers tab, newlines, NBSP, U+2000..U+200A, U+2028/9, U+202F, U+205F, U+3000; NEL is added.
const WS_RUN = /[\s\u0085]+/g;
const NEEDS_WORK = /[^\S ]| {2}|[\u0085\u200B\u2060\u180E]/;

/**
 * Collapse every run of whitespace (spaces, tabs, newlines, NBSP, ideographic
 * space, ...) to one ASCII space, and drop zero-width characters. Leading and
 * trailing whitespace becomes one space; `trim` removes it.
 */
export function normalizeWhitespace(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(INVISIBLE, '').replace(WS_RUN, ' ');
}

/** Remove leading and trailing whitespace (including NBSP and BOM). */
export function trim(text: string): string {
  return text.trim();
}

/**
 * A step that keeps at most `maxLength` code points. A surrogate pair (an
 * emoji, a rare CJK character) is never split.
 */
export function makeTruncate(maxLength: number): (text: string) => string {
  return (text) => {
    // Fewer UTF-16 units than the limit means fewer code points too.
    if (text.length <= maxLength) return text;
    let i = 0;
    let count = 0;
    const len = text.length;
    while (i < len && count < maxLength) {
      const c = text.charCodeAt(i);
      const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < len && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += isPair ? 2 : 1;
      count++;
    }
    return i >= len ? text : text.slice(0, i);
  };
}
