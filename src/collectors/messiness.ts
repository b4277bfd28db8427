/**
 * Ways real text gets messy, used by the `sample` collector and by the rules
 * engine's tests. All functions are pure given the `rnd` they receive.
 *
 * Mojibake: {@link toMojibake} encodes text as UTF-8 and decodes the bytes as
 * a single-byte charset. With `'latin1'` (the default and what `sample` uses
 * unless told otherwise) every byte maps to U+0000–U+00FF, so
 * `Buffer.from(s, 'latin1').toString('utf8')` restores the text exactly; bytes
 * 0x80–0x9F appear as C1 control characters. With `'cp1252'` (what Excel and
 * browsers produce) those bytes appear as Windows-1252 characters instead
 * (`€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ`; the five undefined
 * bytes 0x81 0x8D 0x8F 0x90 0x9D stay C1 controls); {@link undoMojibake}
 * reverses both.
 */
import { intBetween, pick, type Random } from './prng';

/** The 32 Windows-1252 characters for bytes 0x80–0x9F (undefined bytes keep their C1 code point). */
const CP1252_HIGH = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F'
  + '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';
const CP1252_TO_BYTE = new Map<string, number>([...CP1252_HIGH].map((ch, i) => [ch, 0x80 + i]));

/** UTF-8 bytes of `s` read as Latin-1 (default) or Windows-1252. */
export function toMojibake(s: string, charset: 'latin1' | 'cp1252' = 'latin1'): string {
  const latin = Buffer.from(s, 'utf8').toString('latin1');
  if (charset === 'latin1') return latin;
  let out = '';
  for (const ch of latin) {
    const c = ch.charCodeAt(0);
    out += c >= 0x80 && c <= 0x9f ? CP1252_HIGH[c - 0x80] : ch;
  }
  return out;
}

/**
 * Reverse {@link toMojibake} for either charset. Returns the input unchanged
 * when it is not mojibake (a character outside Latin-1/CP1252, or bytes that
 * are not valid UTF-8).
 */
export function undoMojibake(s: string): string {
  const bytes: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c <= 0xff) bytes.push(c);
    else if (CP1252_TO_BYTE.has(ch)) bytes.push(CP1252_TO_BYTE.get(ch)!);
    else return s;
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return decoded.includes('\uFFFD') ? s : decoded;
}

/** ASCII printable characters (and space) as their fullwidth forms. */
export function toFullwidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c === 0x20 ? '\u3000' : c > 0x20 && c < 0x7f ? String.fromCharCode(c + 0xfee0) : ch;
  }
  return out;
}

/**
 * Mixed Unicode forms: the NFD form when it differs (accents, Hangul become
 * combining sequences / jamo), otherwise fullwidth digits and one word.
 */
export function addUnicodeNoise(s: string, rnd: Random): string {
  const nfd = s.normalize('NFD');
  if (nfd !== s && rnd() < 0.6) return nfd;
  const words = s.split(' ');
  const w = intBetween(rnd, 0, words.length - 1);
  words[w] = toFullwidth(words[w]!);
  return words.join(' ').replace(/\d+/g, (d) => toFullwidth(d));
}

const WRAPPERS: ReadonlyArray<(s: string) => string> = [
  (s) => `<p>${s}</p>`,
  (s) => `<div class="review-body">${s}<br/></div>`,
  (s) => `<span style="color:#333">${s}</span> <a href="https://shop.example.com/p/123?ref=mail&amp;utm=1">more</a>`,
  (s) => `<p><b>Review:</b>&nbsp;${s}</p>\n<p>&mdash; sent from my phone</p>`,
  (s) => `<!-- imported --><ul><li>${s}</li></ul>`,
];

/** HTML tags and entities around and inside the text. */
export function addHtml(s: string, rnd: Random): string {
  const escaped = s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/ /, '&nbsp;');
  return pick(rnd, WRAPPERS)(escaped);
}

/** Runs of spaces, tabs, newlines, NBSP, and leading/trailing whitespace. */
export function addWhitespace(s: string, rnd: Random): string {
  const parts = s.split(' ');
  let out = rnd() < 0.5 ? pick(rnd, ['  ', '\t', '\n ', ' \u00A0']) : '';
  for (let i = 0; i < parts.length; i++) {
    out += parts[i];
    if (i < parts.length - 1) out += rnd() < 0.3 ? pick(rnd, ['   ', '\t', '\n\n', ' \u00A0 ', '  ']) : ' ';
  }
  return out + pick(rnd, ['   ', '\n', ' \t', '\r\n']);
}

const NAMES = ['john.doe', 'minji.kim', 'support.fan', 'j_park', 'alex', 'sara.lee', 'hyunwoo'];
const DOMAINS = ['example.com', 'mail.example.org', 'naver.example', 'test.co.kr'];

/** A made-up email or phone number (English or Korean context). */
export function fakePii(rnd: Random, lang: 'en' | 'ko'): string {
  const email = `${pick(rnd, NAMES)}${intBetween(rnd, 1, 999)}@${pick(rnd, DOMAINS)}`;
  const phone = lang === 'ko'
    ? `010-${intBetween(rnd, 1000, 9999)}-${intBetween(rnd, 1000, 9999)}`
    : `+1 (555) ${intBetween(rnd, 200, 999)}-${intBetween(rnd, 1000, 9999)}`;
  if (lang === 'ko') return rnd() < 0.5 ? ` 연락처: ${phone}` : ` 메일 주세요 ${email}`;
  return rnd() < 0.5 ? ` Call me at ${phone}.` : ` Reach me at ${email} please.`;
}

/** Append an email or a phone number. */
export function addPii(s: string, rnd: Random, lang: 'en' | 'ko'): string {
  return s + fakePii(rnd, lang);
}

const CASE_VARIANTS: ReadonlyArray<(s: string) => string> = [(s) => s.toUpperCase(), (s) => s.toLowerCase()];
const SPACING_VARIANTS: ReadonlyArray<(s: string) => string> = [
  (s) => s.replace(/[.!?]+$/u, '') + '!!!',
  (s) => s.replace(/[.,!?]/g, ''),
  (s) => s.replace(/ /g, '  '),
  (s) => `  ${s} `,
];
const NEAR_VARIANTS = [...CASE_VARIANTS, ...SPACING_VARIANTS];
const LATIN1_SUPPLEMENT = /[\u0080-\u00ff]/;

/**
 * A near duplicate: same text differing only in case, whitespace or
 * punctuation (never identical). Text with Latin-1 characters (mojibake,
 * accents) keeps its case, since upper-casing mojibake makes it unrepairable.
 */
export function nearDuplicate(s: string, rnd: Random): string {
  const v = pick(rnd, LATIN1_SUPPLEMENT.test(s) ? SPACING_VARIANTS : NEAR_VARIANTS)(s);
  return v !== s ? v : `${s} !`;
}
