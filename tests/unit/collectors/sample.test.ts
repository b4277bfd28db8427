/** The `sample` collector: determinism, configured messiness, mojibake that can be undone, and speed (printed). */
import { addUnicodeNoise, nearDuplicate, toFullwidth, toMojibake, undoMojibake } from '../../../src/collectors/messiness';
import { mulberry32 } from '../../../src/collectors/prng';
import { sampleCollector, sampleOptionsSchema } from '../../../src/collectors/sample';
import { silentLogger } from '../../../src/logger';
import type { CollectedRow } from '../../../src/types';
import { collectAll } from '../../support/collector-conformance';

const ctx = { logger: silentLogger(), env: {}, dataDir: '/nonexistent' };
const BASE = '2024-06-01T12:00:00Z';
const text = (rows: CollectedRow[]) => rows.map((r) => r.raw_text);
const HANGUL = /[\uAC00-\uD7A3]/;

describe('determinism', () => {
  it('gives identical rows for the same seed and different rows for another seed', async () => {
    const a = await collectAll('sample', { rows: 2000, seed: 1, base_time: BASE }, ctx);
    const b = await collectAll('sample', { rows: 2000, seed: 1, base_time: BASE }, ctx);
    const c = await collectAll('sample', { rows: 2000, seed: 2, base_time: BASE }, ctx);
    expect(b).toEqual(a);
    const same = a.filter((r, i) => r.raw_text === c[i]!.raw_text).length;
    expect(same).toBeLessThan(200);
  });

  it('numbers rows 1..N with created_at = base_time - id seconds, and a prefix does not depend on rows', async () => {
    const short = await collectAll('sample', { rows: 100, base_time: BASE }, ctx);
    const long = await collectAll('sample', { rows: 500, base_time: BASE }, ctx);
    expect(long.slice(0, 100)).toEqual(short);
    expect(short.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(short[9]!.created_at).toEqual(new Date(Date.parse(BASE) - 10_000));
    for (const r of short) {
      expect(r.metadata).toEqual({ lang: expect.stringMatching(/^(en|ko)$/), channel: expect.any(String), rating: expect.any(Number) });
    }
  });

  it('defaults base_time to the start of the current hour', async () => {
    const before = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const [row] = await collectAll('sample', { rows: 1 }, ctx);
    const base = row!.created_at!.getTime() + 1000;
    expect([before, before + 3_600_000]).toContain(base);
  });
});

const detect = {
  html: (s: string) => /<\/?[a-z][^>]*>|&(?:[a-z]+|#\d+);/i.test(s),
  whitespace: (s: string) => /\s{2,}|^\s|\s$|\t|\u00A0/.test(s),
  unicode: (s: string) => s !== s.normalize('NFC') || /[\uFF01-\uFF5E\u3000]/.test(s),
  mojibake: (s: string) => /[\u00C2-\u00EF][\u0080-\u00BF]/.test(s),
  pii: (s: string) => /@|\(555\)|010-\d{4}/.test(s.normalize('NFKC')),
};

describe('messiness ratios over 10k rows', () => {
  const ratios = { html_ratio: 0.2, whitespace_ratio: 0.1, unicode_ratio: 0.1, mojibake_ratio: 0.1, pii_ratio: 0.15, duplicate_ratio: 0.08, near_duplicate_ratio: 0.06, empty_ratio: 0.03, null_ratio: 0.04, korean_ratio: 0.4 };
  let rows: CollectedRow[];
  /** Per row: null, empty, dup (text seen before), near (same up to case/space/punctuation), or fresh. */
  let kinds: string[];
  beforeAll(async () => {
    rows = await collectAll('sample', { rows: 10_000, seed: 99, base_time: BASE, ...ratios }, ctx);
    const seen = new Set<string>();
    const seenKey = new Set<string>();
    const key = (t: string) => t.toLowerCase().replace(/[\s.,!?]+/g, '');
    kinds = rows.map(({ raw_text: t }) => {
      if (t === null) return 'null';
      if (t === '') return 'empty';
      const k = seen.has(t) ? 'dup' : seenKey.has(key(t)) ? 'near' : 'fresh';
      seen.add(t);
      seenKey.add(key(t));
      return k;
    });
  });
  const shareOf = (kind: string) => kinds.filter((k) => k === kind).length / kinds.length;

  it('has about the configured share of null, empty, exact and near duplicate texts', () => {
    const measured = { null: shareOf('null'), empty: shareOf('empty'), dup: shareOf('dup'), near: shareOf('near') };
    console.log('sample kinds', measured);
    expect(Math.abs(measured.null - ratios.null_ratio)).toBeLessThan(0.01);
    expect(Math.abs(measured.empty - ratios.empty_ratio)).toBeLessThan(0.01);
    expect(Math.abs(measured.dup - ratios.duplicate_ratio)).toBeLessThan(0.015);
    expect(Math.abs(measured.near - ratios.near_duplicate_ratio)).toBeLessThan(0.015);
  });

  it('has about the configured share of each kind of noise among texts that are not near duplicates', () => {
    // Near duplicates add case/space/punctuation noise on purpose, so they are left out here.
    const texts = rows.filter((_r, i) => kinds[i] === 'fresh' || kinds[i] === 'dup').map((r) => r.raw_text as string);
    const measured = Object.fromEntries(Object.entries(detect).map(([k, f]) => [k, texts.filter(f).length / texts.length]));
    // Latin-1 mojibake of Korean contains U+00A0, which counts as whitespace; measure whitespace on the rest.
    const readable = texts.filter((t) => !detect.mojibake(t));
    measured.whitespace = readable.filter(detect.whitespace).length / readable.length;
    measured.korean = rows.filter((r) => (r.metadata as { lang: string }).lang === 'ko').length / rows.length;
    console.log('sample noise', measured);
    const expected: Record<string, number> = { html: 0.2, whitespace: 0.1, unicode: 0.1, mojibake: 0.1, pii: 0.15, korean: 0.4 };
    for (const [k, want] of Object.entries(expected)) expect([k, Math.abs(measured[k]! - want) < 0.02]).toEqual([k, true]);
  });

  it('writes Korean rows in Hangul and English rows without it', () => {
    const clean = rows.filter((r) => r.raw_text && !detect.mojibake(r.raw_text) && !detect.unicode(r.raw_text));
    const bad = clean.filter((r) => HANGUL.test(r.raw_text!) !== ((r.metadata as { lang: string }).lang === 'ko'));
    expect(bad).toEqual([]);
  });

  it('produces clean text when every ratio is 0', async () => {
    const zero = Object.fromEntries(Object.keys(ratios).filter((k) => k !== 'korean_ratio').map((k) => [k, 0]));
    const clean = await collectAll('sample', { rows: 2000, base_time: BASE, ...zero }, ctx);
    const texts = text(clean) as string[];
    expect(texts.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    for (const [k, f] of Object.entries(detect)) expect([k, texts.filter(f).length]).toEqual([k, 0]);
  });
});

describe('mojibake', () => {
  it('is double-encoded Korean that Buffer latin1 → utf8 restores exactly (default charset)', async () => {
    const rows = await collectAll('sample', { rows: 300, base_time: BASE, korean_ratio: 1, mojibake_ratio: 1, html_ratio: 0, whitespace_ratio: 0, unicode_ratio: 0, pii_ratio: 0, duplicate_ratio: 0, near_duplicate_ratio: 0, empty_ratio: 0, null_ratio: 0 }, ctx);
    for (const t of text(rows) as string[]) {
      expect(HANGUL.test(t)).toBe(false);
      const restored = Buffer.from(t, 'latin1').toString('utf8');
      expect(HANGUL.test(restored)).toBe(true);
      expect(restored).not.toContain('\uFFFD');
      expect(toMojibake(restored)).toBe(t);
      expect(undoMojibake(t)).toBe(restored);
    }
  });

  it('in cp1252 form shows Windows-1252 characters that undoMojibake (not Buffer latin1) reverses', async () => {
    const rows = await collectAll('sample', { rows: 200, base_time: BASE, korean_ratio: 1, mojibake_ratio: 1, mojibake_charset: 'cp1252', html_ratio: 0, whitespace_ratio: 0, pii_ratio: 0, unicode_ratio: 0, duplicate_ratio: 0, near_duplicate_ratio: 0 }, ctx);
    const texts = (text(rows) as string[]).filter(Boolean);
    expect(texts.some((t) => /[\u20AC\u201A-\u201E\u2026\u2020\u2021\u2030\u2039\u2018\u2019\u2022\u2013\u2014\u2122\u203A\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC]/.test(t))).toBe(true);
    for (const t of texts) expect(HANGUL.test(undoMojibake(t))).toBe(true);
  });

  it('helpers: known encodings, and non-mojibake text is left alone', () => {
    expect(toMojibake('한국어')).toBe('\u00ED\u0095\u009C\u00EA\u00B5\u00AD\u00EC\u0096\u00B4');
    expect(toMojibake('한국어', 'cp1252')).toBe('í•œêµ­ì–´');
    expect(toMojibake('café')).toBe('cafÃ©');
    expect(undoMojibake('í•œêµ­ì–´')).toBe('한국어');
    expect(undoMojibake('plain café')).toBe('plain café');
    expect(undoMojibake('한국어')).toBe('한국어');
  });
});

describe('noise helpers', () => {
  it('fullwidth, NFD and near duplicates behave as documented', () => {
    expect(toFullwidth('AB 12!')).toBe('ＡＢ　１２！');
    const rnd = mulberry32(3);
    const ko = '정말 만족합니다';
    const noisy = Array.from({ length: 20 }, () => addUnicodeNoise(ko, rnd));
    expect(noisy.some((s) => s === ko.normalize('NFD') && s !== ko)).toBe(true);
    expect(noisy.every((s) => s.normalize('NFKC') === ko)).toBe(true);
    for (let i = 0; i < 50; i++) expect(nearDuplicate('한국어 텍스트', rnd)).not.toBe('한국어 텍스트');
  });
});

it('generates rows quickly (printed, not asserted)', async () => {
  const n = 100_000;
  const started = process.hrtime.bigint();
  let count = 0;
  for await (const _row of sampleCollector.collect(sampleOptionsSchema.parse({ rows: n, base_time: BASE }), ctx)) count++;
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`sample collector: ${count} rows in ${secs.toFixed(2)} s = ${Math.round(count / secs).toLocaleString('en-US')} rows/s`);
  expect(count).toBe(n);
});
