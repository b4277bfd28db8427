/** Produce mojibake the way real systems do, for the fix_mojibake tests. */

// Windows-1252 characters for bytes 0x80..0x9F (undefined bytes stay C1 controls, as decoders keep them).
// Node's TextDecoder('windows-1252') decodes as ISO-8859-1, so the table is spelled out here.
const CP1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/** UTF-8 bytes of `s` decoded as Latin-1. */
export function latin1Mojibake(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** UTF-8 bytes of `s` decoded as Windows-1252. */
export function cp1252Mojibake(s: string): string {
  let out = '';
  for (const ch of latin1Mojibake(s)) {
    const c = ch.charCodeAt(0);
    out += c >= 0x80 && c <= 0x9f ? CP1252_HIGH[c - 0x80] : ch;
  }
  return out;
}
