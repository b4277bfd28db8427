/**
 * `sample`: deterministic, seeded, realistic messy text (short product
 * reviews and support messages in English and Korean). The same options give
 * the same rows on every machine; rows are generated lazily, so a million
 * rows cost no memory.
 */
import { z } from 'zod';
import type { CollectedRow } from '../types';
import { addHtml, addPii, addUnicodeNoise, addWhitespace, nearDuplicate, toMojibake } from './messiness';
import { nonNegativeInt, positiveInt, ratio } from './options';
import { intBetween, mulberry32, pick } from './prng';
import { CHANNELS, makeBaseText } from './sample-text';
import type { Collector } from './types';

const EXCLUSIVE = ['null_ratio', 'empty_ratio', 'duplicate_ratio', 'near_duplicate_ratio'] as const;

/** Options of the `sample` collector. */
export const sampleOptionsSchema = z
  .object({
    rows: positiveInt(100_000_000).default(1000),
    seed: nonNegativeInt(0xffffffff).default(42),
    /**
     * created_at of row i is `base_time - i seconds`. Default: the start of
     * the current hour when collection starts (so rows are only identical
     * across runs within the same hour unless you set it).
     */
    base_time: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2024-01-01T00:00:00Z' }).optional(),
    korean_ratio: ratio.default(0.3),
    html_ratio: ratio.default(0.1),
    whitespace_ratio: ratio.default(0.15),
    unicode_ratio: ratio.default(0.05),
    mojibake_ratio: ratio.default(0.05),
    /** Which single-byte charset mojibake is decoded as; `mixed` picks per row. */
    mojibake_charset: z.enum(['latin1', 'cp1252', 'mixed']).default('latin1'),
    pii_ratio: ratio.default(0.1),
    duplicate_ratio: ratio.default(0.05),
    near_duplicate_ratio: ratio.default(0.05),
    empty_ratio: ratio.default(0.02),
    null_ratio: ratio.default(0.02),
  })
  .strict()
  .superRefine((o, ctx) => {
    const sum = EXCLUSIVE.reduce((s, k) => s + o[k], 0);
    if (sum > 1) ctx.addIssue({ code: 'custom', path: ['null_ratio'], message: `null, empty, duplicate and near-duplicate ratios add up to ${sum}, more than 1` });
  });

/** Parsed options of the `sample` collector. */
export type SampleOptions = z.infer<typeof sampleOptionsSchema>;

interface Recent {
  text: string;
  lang: 'en' | 'ko';
  rating: number;
}

const RECENT_SIZE = 512;
const ASCII_ONLY = /^[\x20-\x7e\t\n\r]*$/;

/** Plain-ASCII text has no visible mojibake, so give it what usually breaks: smart quotes. */
function withNonAscii(s: string): string {
  if (!ASCII_ONLY.test(s)) return s;
  return s.includes("'") ? s.replace(/'/g, '\u2019') : s.replace(/^(\S+)/, '\u201C$1\u201D');
}
const HOUR_MS = 3_600_000;

async function* generate(o: SampleOptions, signal?: AbortSignal): AsyncGenerator<CollectedRow> {
  const rnd = mulberry32(o.seed);
  const base = o.base_time ? Date.parse(o.base_time) : Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const recent: Recent[] = [];
  const tNull = o.null_ratio;
  const tEmpty = tNull + o.empty_ratio;
  const tDup = tEmpty + o.duplicate_ratio;
  const tNear = tDup + o.near_duplicate_ratio;
  for (let id = 1; id <= o.rows; id++) {
    signal?.throwIfAborted();
    const kind = rnd();
    let text: string | null;
    let lang: 'en' | 'ko';
    let rating: number;
    if (kind < tEmpty || (kind < tNear && recent.length === 0)) {
      text = kind < tNull ? null : '';
      lang = rnd() < o.korean_ratio ? 'ko' : 'en';
      rating = intBetween(rnd, 1, 5);
    } else if (kind < tNear) {
      const prev = pick(rnd, recent);
      text = kind < tDup ? prev.text : nearDuplicate(prev.text, rnd);
      lang = prev.lang;
      rating = prev.rating;
    } else {
      const b = makeBaseText(rnd, o.korean_ratio);
      lang = b.lang;
      rating = b.rating;
      let s = b.text;
      // Every decision draws from rnd even when the ratio is 0, so changing one ratio does not reshuffle the rest.
      const pii = rnd() < o.pii_ratio;
      const uni = rnd() < o.unicode_ratio;
      const moji = rnd() < o.mojibake_ratio;
      const html = rnd() < o.html_ratio;
      const ws = rnd() < o.whitespace_ratio;
      const cp1252 = o.mojibake_charset === 'cp1252' || (o.mojibake_charset === 'mixed' && rnd() < 0.5);
      if (pii) s = addPii(s, rnd, lang);
      if (uni) s = addUnicodeNoise(s, rnd);
      if (moji) s = toMojibake(withNonAscii(s), cp1252 ? 'cp1252' : 'latin1');
      if (html) s = addHtml(s, rnd);
      if (ws) s = addWhitespace(s, rnd);
      text = s;
      const entry = { text, lang, rating };
      if (recent.length < RECENT_SIZE) recent.push(entry);
      else recent[id % RECENT_SIZE] = entry;
    }
    yield {
      id,
      raw_text: text,
      created_at: new Date(base - id * 1000),
      metadata: { lang, channel: pick(rnd, CHANNELS), rating },
    };
  }
}

/** The `sample` collector. */
export const sampleCollector: Collector<SampleOptions> = {
  name: 'sample',
  description: 'Deterministic, seeded messy reviews and support messages (English and Korean): HTML, whitespace, Unicode forms, mojibake, PII, duplicates, empty and null texts.',
  options: sampleOptionsSchema,
  collect(options, ctx) {
    return generate(options, ctx.signal);
  },
};
