/**
 * `fix_mojibake`: repair UTF-8 text that was decoded as Latin-1 or
 * Windows-1252 ("cafÃ©" → "café", "ì•ˆë…•" → "안녕"), also when that happened
 * twice.
 *
 * Each suspicious sequence (a UTF-8 lead byte followed by continuation bytes,
 * as Latin-1/CP1252 characters) is turned back into bytes and decoded on its
 * own; it is replaced only when the bytes are valid UTF-8 and the result is a
 * plausible character. Text that is already right (genuine Korean, "café",
 * "naïve") contains no such sequence and is returned unchanged, and one
 * damaged fragment does not stop the rest of a mixed string from being fixed.
 */

// Windows-1252 characters for bytes 0x80..0x9F. The five undefined bytes arrive as C1 controls.
const CP1252_TO_BYTE: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86], [0x2021, 0x87],
  [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c], [0x017d, 0x8e], [0x2018, 0x91],
  [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95], [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98],
  [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b], [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);
const CONT = '\\u0080-\\u00BF\\u0152\\u0153\\u0160\\u0161\\u0178\\u017D\\u017E\\u0192\\u02C6\\u02DC\\u2013\\u2014\\u2018-\\u201A\\u201C-\\u201E\\u2020-\\u2022\\u2026\\u2030\\u2039\\u203A\\u20AC\\u2122';
// A lead byte (0xC2..0xF4 as a Latin-1 character) and up to three continuation bytes.
const CANDIDATE = new RegExp(`[\\u00C2-\\u00F4][${CONT}]{1,3}`, 'g');
const HAS_CANDIDATE = new RegExp(`[\\u00C2-\\u00F4][${CONT}]`);
const MAX_ROUNDS = 4;
// Uppercase accented letters that end real words, and the punctuation that often follows a word.
// "SPÄ”" is a German word before a closing quote, not the mojibake of "Ĕ": such a pair is only
// repaired in text where an unambiguous repair already proved the text is mojibake.
const WORD_END_LEADS = /[\u00C4\u00C7-\u00CF\u00D2-\u00D6\u00D8-\u00DD\u00DF]/;
const AFTER_WORD = /[\u00A9\u00AE\u00B0\u00B7\u00BB\u2013\u2014\u2018-\u201A\u201C-\u201E\u2022\u2026\u2039\u203A\u2122]/;

function byteOf(code: number): number {
  if (code <= 0xff) return code;
  return CP1252_TO_BYTE.get(code) ?? -1;
}

function isCont(b: number, lo = 0x80, hi = 0xbf): boolean {
  return b >= lo && b <= hi;
}

/**
 * Whether a decoded code point is a believable character. Two-byte results are
 * restricted to Latin, Greek, Cyrillic and combining accents (and the
 * intermediate characters of double encoding), because two adjacent Latin-1
 * characters occur in real text more often than three or four do.
 */
function plausible(cp: number, len: number): boolean {
  if (len === 2) {
    return (
      (cp >= 0x80 && cp <= 0x24f) ||
      (cp >= 0x300 && cp <= 0x36f) ||
      (cp >= 0x370 && cp <= 0x52f) ||
      cp === 0x2c6 ||
      cp === 0x2dc
    );
  }
  if (len === 3) return !(cp >= 0xe000 && cp <= 0xf8ff) && !(cp >= 0xfdd0 && cp <= 0xfdef) && cp < 0xfffe;
  return cp < 0xf0000;
}

const LETTER = /\p{L}/u;
const isLetter = (ch: string | undefined): boolean => ch !== undefined && LETTER.test(ch);
const isC1 = (code: number): boolean => code >= 0x80 && code <= 0x9f;

/** Decode a candidate as UTF-8: the code point and the bytes used, or undefined when it is not valid UTF-8. */
function decodeBytes(seq: string): { cp: number; len: number } | undefined {
  const b0 = seq.charCodeAt(0);
  const len = b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : 4;
  if (seq.length < len) return undefined;
  const b1 = byteOf(seq.charCodeAt(1));
  if (len === 2) return { cp: ((b0 & 0x1f) << 6) | (b1 & 0x3f), len };
  // Second-byte ranges exclude overlong forms, surrogates and values past U+10FFFF.
  const lo = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80;
  const hi = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf;
  if (!isCont(b1, lo, hi)) return undefined;
  const b2 = byteOf(seq.charCodeAt(2));
  if (len === 3) return { cp: ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), len };
  const b3 = byteOf(seq.charCodeAt(3));
  return { cp: ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), len };
}

/**
 * Decode one candidate found at `offset` in `text`; returns the replacement,
 * or the candidate itself when it is not a clean, plausible UTF-8 sequence.
 */
function decodeSequence(seq: string, offset: number, text: string, allowAmbiguous: boolean): string {
  const prev = text[offset - 1];
  const decoded = decodeBytes(seq);
  if (decoded) {
    const { cp, len } = decoded;
    const ambiguous = len === 2 && !allowAmbiguous && WORD_END_LEADS.test(seq[0]!) && AFTER_WORD.test(seq[1]!);
    // A combining accent (mojibake of NFD text) only makes sense right after a letter.
    const orphanMark = cp >= 0x300 && cp <= 0x36f && !isLetter(prev);
    if (!ambiguous && !orphanMark && plausible(cp, len)) return String.fromCodePoint(cp) + seq.slice(len);
  }
  // Mojibake of NFD text that was later lower-cased: "Ì\x81" (U+0301) became "ì\x81". Only inside a
  // word, and with a C1 control or a letter after it, so that Italian "così”" stays as it is.
  const b0 = seq.charCodeAt(0);
  if (b0 === 0xec || b0 === 0xed) {
    const cp = (((b0 - 0x20) & 0x1f) << 6) | (byteOf(seq.charCodeAt(1)) & 0x3f);
    const next = seq.length > 2 ? seq[2] : text[offset + seq.length];
    if (cp <= 0x36f && isLetter(prev) && (isC1(seq.charCodeAt(1)) || isLetter(next))) return String.fromCharCode(cp) + seq.slice(2);
  }
  return seq;
}

const strictReplacer = (seq: string, offset: number, text: string): string => decodeSequence(seq, offset, text, false);
const lenientReplacer = (seq: string, offset: number, text: string): string => decodeSequence(seq, offset, text, true);

/** Repair Latin-1/Windows-1252 mojibake of UTF-8 text, up to three layers deep. */
export function fixMojibake(text: string): string {
  if (!HAS_CANDIDATE.test(text)) return text;
  let cur = text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = cur.replace(CANDIDATE, round === 0 ? strictReplacer : lenientReplacer);
    if (next === cur) break;
    cur = next;
    if (!HAS_CANDIDATE.test(cur)) break;
  }
  return dropStrayC1(cur, text);
}

// A repair that leaves C1 controls the input did not have went one layer too far
// or stopped halfway (double encoding of something that was not UTF-8); keep the input.
const C1 = /[\u0080-\u009F]/g;
function dropStrayC1(repaired: string, original: string): string {
  const before = original.match(C1)?.length ?? 0;
  const after = repaired.match(C1)?.length ?? 0;
  return after > before ? original : repaired;
}
