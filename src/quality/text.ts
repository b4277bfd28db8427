/** Small text helpers for the checks: hashing, normalization, script detection, HTML detection. */
import { hash } from 'node:crypto';

/** A 64-bit hash of a string as two unsigned 32-bit words (first 8 bytes of SHA-1). */
export function hash64(text: string): [number, number] {
  const b = hash('sha1', text, 'buffer');
  return [b.readUInt32LE(0), b.readUInt32LE(4)];
}

/** Text normalized for near-duplicate detection: NFKC, lower case, no punctuation, symbols or whitespace. */
export function normalizeForNearDedupe(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, '');
}

/** Null, undefined, or a string with only whitespace. */
export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

const HTML_TAG = /<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>|<!--[\s\S]*?-->|&(nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);/i;

/** Whether text still looks like HTML: a tag, a comment or a common entity. */
export function hasHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

const LETTER = /\p{L}/u;
const LATIN = /\p{Script=Latin}/u;
const HANGUL = /\p{Script=Hangul}/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Letter counts per script family. */
export interface ScriptCounts {
  hangul: number;
  latin: number;
  /** Han, Hiragana and Katakana. */
  cjk: number;
  other: number;
  letters: number;
}

/**
 * Count letters by script. This is script detection, not language
 * identification: English and French are both "latin".
 */
export function countScripts(text: string): ScriptCounts {
  const c: ScriptCounts = { hangul: 0, latin: 0, cjk: 0, other: 0, letters: 0 };
  // Code-point ranges first (the common cases, ~20x faster than a regex per letter).
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) c.latin++;
    else if (cp < 0xc0) continue;
    else if ((cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f)) c.hangul++;
    else if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x3040 && cp <= 0x30ff)) c.cjk++;
    else if (!LETTER.test(ch)) continue;
    else if (LATIN.test(ch)) c.latin++;
    else if (HANGUL.test(ch)) c.hangul++;
    else if (CJK.test(ch)) c.cjk++;
    else c.other++;
    c.letters++;
  }
  return c;
}

/** Which counted share a configured language expects. */
export function expectedShare(counts: ScriptCounts, language: 'ko' | 'en' | 'latin' | 'cjk'): number {
  if (counts.letters === 0) return 0;
  if (language === 'ko') return counts.hangul / counts.letters;
  if (language === 'cjk') return (counts.cjk + counts.hangul) / counts.letters;
  return counts.latin / counts.letters;
}
