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
  for (const m of text.matchAll(/\p{L}/gu)) {
    const ch = m[0];
    c.letters++;
    if (/\p{Script=Hangul}/u.test(ch)) c.hangul++;
    else if (/\p{Script=Latin}/u.test(ch)) c.latin++;
    else if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ch)) c.cjk++;
    else c.other++;
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
