/** HTML steps: `strip_html` removes markup, `decode_entities` turns character references into text. */
import { buildEntityTable, CP1252_C1 } from './html-entities';

const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g;
// Elements whose content is never readable text. An unclosed one runs to the end, as in a browser.
const HIDDEN_ELEMENT = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
// Tags that end a line or block: replaced by a newline so words on both sides do not run together.
const BLOCK_TAG =
  /<\/?(?:br|p|div|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|tfoot|h[1-6]|hr|blockquote|pre|section|article|header|footer|nav|aside|main|figure|figcaption|address|form|fieldset|legend|option|title)\b(?:[^<>"']|"[^"]*"|'[^']*')*>/gi;
const CELL_TAG = /<\/?(?:td|th)\b(?:[^<>"']|"[^"]*"|'[^']*')*>/gi;
// Any other tag; quoted attribute values may contain '>'. A lone '<' followed by a space or digit is text.
const OTHER_TAG = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:[^<>"']|"[^"]*"|'[^']*')*>|<[!?][^<>]*>/g;

/**
 * Remove HTML markup: comments, script/style/noscript/template elements with
 * their content, and every tag. Line and block tags (`<br>`, `<p>`, `<div>`,
 * `<li>`, ...) become a newline and table cells a space, so text on both sides
 * stays separate. Character references are left for `decode_entities`.
 */
export function stripHtml(text: string): string {
  if (text.indexOf('<') === -1) return text;
  return text
    .replace(COMMENT, '')
    .replace(CDATA, '$1')
    .replace(HIDDEN_ELEMENT, '')
    .replace(BLOCK_TAG, '\n')
    .replace(CELL_TAG, ' ')
    .replace(OTHER_TAG, '');
}

// Semicolon required: "AT&T" or "?a=1&copy=2" must not change.
const ENTITY = /&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/g;
let entityTable: Map<string, string> | undefined;

function fromNumeric(cp: number): string {
  // The HTML spec's rules: NUL, surrogates and out-of-range values become U+FFFD;
  // 128..159 are read as Windows-1252, as browsers do.
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
  if (cp >= 0x80 && cp <= 0x9f) return String.fromCharCode(CP1252_C1.get(cp) ?? cp);
  return String.fromCodePoint(cp);
}

function replaceEntity(match: string, dec: string | undefined, hex: string | undefined, name: string | undefined): string {
  if (dec !== undefined) return fromNumeric(Number.parseInt(dec, 10));
  if (hex !== undefined) return fromNumeric(Number.parseInt(hex, 16));
  const exact = entityTable!.get(name!);
  if (exact !== undefined) return exact;
  // Text that was upper-cased after encoding ("&NBSP;", "&MDASH;"): browsers would not decode it, but it is
  // plainly meant as the entity.
  return name === name!.toUpperCase() ? (entityTable!.get(name!.toLowerCase()) ?? match) : match;
}

/**
 * Decode HTML character references once: named (`&amp;` `&nbsp;` `&eacute;`
 * `&mdash;` ...), decimal (`&#39;`) and hexadecimal (`&#x1F600;`). Unknown
 * names and references without the closing `;` are left as written.
 * `&amp;lt;` becomes `&lt;` (one level, like a browser).
 */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') === -1) return text;
  entityTable ??= buildEntityTable();
  return text.replace(ENTITY, replaceEntity);
}
