import { createDeduper, normalizeForNearDedupe } from '../../../src/quality';
import { Hash64Set } from '../../../src/quality/hash-set';

describe('createDeduper', () => {
  it('drops exact duplicates and counts them; nulls are never duplicates', () => {
    const d = createDeduper({ near: false });
    const input = ['a', 'b', 'a', null, null, 'A', 'a'];
    const kept = input.filter((t) => !d.isDuplicate(t));
    expect(kept).toEqual(['a', 'b', null, null, 'A']);
    expect(d.stats()).toEqual({ seen: 5, duplicates: 2, nearDuplicates: 0 });
  });

  it('with near, also drops texts equal after NFKC, lower case and punctuation/space removal', () => {
    const d = createDeduper({ near: true });
    const input = ['Hello, World!', 'hello world', 'ＨＥＬＬＯ　ＷＯＲＬＤ', 'Hello, World!', 'Hello there', '!!!', '???'];
    const kept = input.filter((t) => !d.isDuplicate(t));
    expect(kept).toEqual(['Hello, World!', 'Hello there', '!!!', '???']);
    expect(d.stats()).toEqual({ seen: 7, duplicates: 1, nearDuplicates: 2 });
  });

  it('normalizes for near-dedupe', () => {
    expect(normalizeForNearDedupe('  Ｆｏｏ,  BAR!! 한국어 ')).toBe('foobar한국어');
  });
});

describe('Hash64Set', () => {
  it('agrees with a JS Set across growth, including the zero hash', () => {
    const s = new Hash64Set(16);
    const ref = new Set<string>();
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) % 5000;
    for (let i = 0; i < 20_000; i++) {
      const lo = rnd();
      const hi = i % 3 === 0 ? 0 : rnd();
      expect(s.add(lo, hi)).toBe(!ref.has(`${lo}:${hi}`));
      ref.add(`${lo}:${hi}`);
    }
    expect(s.size).toBe(ref.size);
    expect(s.has(0, 0)).toBe(ref.has('0:0'));
    expect(s.has(999_999, 7)).toBe(false);
  });
});
