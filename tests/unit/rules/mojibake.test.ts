import { fixMojibake } from '../../../src/cleaning/rules/mojibake';
import { applyRules } from '../../../src/cleaning/rules';
import { cp1252Mojibake, latin1Mojibake } from './mojibake-helpers';

const KO = '안녕하세요 반갑습니다';
const MIXED = 'Привет, Łódź, ő — “café” 😀 €5 naïve';

describe('fix_mojibake', () => {
  it('repairs Korean decoded once as Latin-1', () => {
    const broken = Buffer.from(KO, 'utf8').toString('latin1');
    expect(broken).not.toBe(KO);
    expect(fixMojibake(broken)).toBe(KO);
  });

  it('repairs double-encoded Korean (UTF-8 → Latin-1 → UTF-8 → Latin-1)', () => {
    const once = Buffer.from(KO, 'utf8').toString('latin1');
    const twice = Buffer.from(once, 'utf8').toString('latin1');
    expect(twice).toMatch(/^Ã¬Â/);
    expect(fixMojibake(twice)).toBe(KO);
  });

  it('repairs the Windows-1252 variant, once and twice, and a Latin-1/1252 mix', () => {
    expect(cp1252Mojibake(KO)).toBe('ì•ˆë…•í•˜ì„¸ìš” ë°˜ê°‘ìŠµë‹ˆë‹¤');
    expect(fixMojibake(cp1252Mojibake(KO))).toBe(KO);
    expect(fixMojibake(cp1252Mojibake(cp1252Mojibake(KO)))).toBe(KO);
    expect(fixMojibake(latin1Mojibake(cp1252Mojibake(KO)))).toBe(KO);
    expect(fixMojibake(cp1252Mojibake(latin1Mojibake(KO)))).toBe(KO);
  });

  it('repairs three layers', () => {
    expect(fixMojibake(cp1252Mojibake(cp1252Mojibake(cp1252Mojibake(KO))))).toBe(KO);
  });

  it('repairs Latin accents, Cyrillic, curly quotes, dashes and emoji', () => {
    expect(fixMojibake('cafÃ©')).toBe('café');
    expect(fixMojibake(latin1Mojibake(MIXED))).toBe(MIXED);
    expect(fixMojibake(cp1252Mojibake(MIXED))).toBe(MIXED);
    expect(fixMojibake(cp1252Mojibake(cp1252Mojibake(MIXED)))).toBe(MIXED);
  });

  it('repairs a broken fragment inside otherwise correct text', () => {
    expect(fixMojibake(`리뷰: ${latin1Mojibake('반갑습니다')} and cafÃ©`)).toBe('리뷰: 반갑습니다 and café');
  });

  it.each([
    ['Korean', KO],
    ['French', 'café déjà vu, naïve façade, «CAFÉ»'],
    ['German', 'Fuß» „Äpfel“ SPÄ” ÖL—Preis Übergröße'],
    ['Portuguese', 'São Paulo, IRMÃ, manhã'],
    ['symbols', 'prix: 5€ — 10° ± 2 © 2024 ½'],
    ['emoji', '👨‍👩‍👧 😀 ✨'],
    ['NFD', 'Cafe\u0301 \u1100\u1161'],
    ['lone lead', 'Ã la carte, Â'],
    ['ASCII', 'plain ascii text'],
    ['empty', ''],
  ])('leaves correct %s text unchanged', (_label, text) => {
    expect(fixMojibake(text)).toBe(text);
  });

  it('repairs mojibake of NFD text, also after it was lower-cased, but only inside words', () => {
    const nfd = 'pokémon déjà naïve'.normalize('NFD');
    expect(fixMojibake(latin1Mojibake(nfd)).normalize('NFC')).toBe('pokémon déjà naïve');
    // "Ì\x81" (U+0301) lower-cased to "ì\x81"; the cp1252 form has "ˆ" for byte 0x88.
    expect(fixMojibake(latin1Mojibake(nfd).toLowerCase()).normalize('NFC')).toBe('pokémon déjà naïve');
    expect(fixMojibake(cp1252Mojibake('nai\u0308ve').toLowerCase()).normalize('NFC')).toBe('naïve');
    // An accent with no letter before it is not a plausible repair.
    expect(fixMojibake(' Ì\u0081x')).toBe(' Ì\u0081x');
    expect(fixMojibake('così” e più’')).toBe('così” e più’');
  });

  it('keeps the input when bytes are not valid UTF-8', () => {
    // 0xC3 followed by 0x28 is an invalid sequence: nothing to repair.
    expect(fixMojibake('Ã(')).toBe('Ã(');
    // An overlong encoding (0xC0 0xAF) and a surrogate (0xED 0xA0 0x80) must not be decoded.
    expect(fixMojibake('À¯ í\u00A0\u0080')).toBe('À¯ í\u00A0\u0080');
  });

  it('is exposed as the fix_mojibake step and keeps null as null', () => {
    expect(applyRules(latin1Mojibake(KO), ['fix_mojibake'])).toBe(KO);
    expect(applyRules(null, ['fix_mojibake'])).toBeNull();
  });
});
