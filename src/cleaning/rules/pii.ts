/** `mask_pii`: replace email addresses and phone numbers with fixed masks. */

/** Options of `mask_pii` (defaults as in the task schema). */
export interface MaskPiiOptions {
  emails?: boolean;
  phones?: boolean;
  email_mask?: string;
  phone_mask?: string;
}

// The lookbehind makes only the start of a run a candidate, and the bounded local
// part keeps matching linear on long runs of letters. The host is a dotted domain
// with a TLD, or a bare host of 4+ characters: "lee292@examplecom" (dots lost in
// scraping) is still somebody's address.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL = new RegExp(
  `(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:${LABEL}(?:\\.${LABEL})*\\.[A-Za-z]{2,24}|[A-Za-z0-9][A-Za-z0-9-]{3,62})(?![A-Za-z0-9-])`,
  'g',
);

// Separators between digit groups: a space, or a '-' / '.' with an optional space on either side.
const R = '(?: ?[.-] ?| )';
const S = `${R}?`;
const PHONE_PATTERNS = [
  // International: +82 10 1234 5678, +82-2-123-4567, +1 (555) 123-4567, +44 20 7946 0958, +82 (0)10-...
  `\\+[1-9]\\d{0,2}${S}(?:\\(0\\)${S})?(?:\\(\\d{1,4}\\)|\\d{1,4})(?:${S}\\d{2,4}){2,4}`,
  // Korean mobile: 010-1234-5678, 010.1234.5678, 010 1234 5678, 01012345678, 011-123-4567.
  `01[016789]${S}\\d{3,4}${S}\\d{4}`,
  // Korean landline with separators: 02-123-4567, 031-1234-5678, 070-1234-5678, (02) 123-4567.
  `(?:0(?:2|[3-6][1-5]|70|50\\d)|\\(0(?:2|[3-6][1-5]|70)\\))${R}\\d{3,4}${R}\\d{4}`,
  // Korean nationwide business numbers (1588-1234, 1644-1234): only the real prefixes, so that
  // a year range such as 1999-2005 is left alone.
  `(?:15(?:44|66|77|88|99)|16(?:44|61|66|68|70|88)) ?- ?\\d{4}`,
  // North American: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567. The last separator is required
  // so that a bare 10-digit id is not mistaken for a phone number.
  `(?:1${R})?(?:\\(\\d{3}\\) ?|\\d{3}${R})\\d{3}${R}\\d{4}`,
];
const PHONE = new RegExp(`(?<![\\w+])(?:${PHONE_PATTERNS.join('|')})(?!\\w)`, 'g');
const HAS_DIGIT_RUN = /\d{3}/;

/** Build the `mask_pii` step for the given options. */
export function makeMaskPii(options: MaskPiiOptions = {}): (text: string) => string {
  const emails = options.emails ?? true;
  const phones = options.phones ?? true;
  const emailMask = options.email_mask ?? '[EMAIL]';
  const phoneMask = options.phone_mask ?? '[PHONE]';
  // Masks are literal text: a '$' in a mask must not be read as a replacement pattern.
  const emailReplacer = (): string => emailMask;
  const phoneReplacer = (): string => phoneMask;
  return (text) => {
    let out = text;
    if (emails && out.indexOf('@') !== -1) out = out.replace(EMAIL, emailReplacer);
    if (phones && HAS_DIGIT_RUN.test(out)) out = out.replace(PHONE, phoneReplacer);
    return out;
  };
}
