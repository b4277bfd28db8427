import { applyRules, compileRules, RULE_NAMES } from '../../../src/cleaning/rules';
import type { RuleStep } from '../../../src/resources/schemas';

const run = (text: string, ...steps: RuleStep[]): string => compileRules(steps)(text);

describe('strip_html', () => {
  it('removes tags and keeps the text, as the sample collector wraps it', () => {
    expect(run('<p><b>Review:</b>&nbsp;Great <i>value</i></p>', 'strip_html')).toBe('\nReview:&nbsp;Great value\n');
    expect(run('<span style="color:#333">ok</span> <a href="https://x.example/p?a=1&amp;b=2">more</a>', 'strip_html')).toBe('ok more');
  });

  it('turns <br> and block tags into line breaks so words stay apart', () => {
    expect(run('one<br>two<br/>three<BR />four</p><p>five<li>six', 'strip_html')).toBe('one\ntwo\nthree\nfour\n\nfive\nsix');
    expect(run('<td>a</td><td>b</td>', 'strip_html')).toBe(' a  b ');
  });

  it('drops script, style and comments with their content', () => {
    expect(run('a<script type="x">alert("<b>")</script>b<style>p { color: red }</style>c<!-- note -->d', 'strip_html')).toBe('abcd');
    expect(run('text<script>never closed', 'strip_html')).toBe('text');
  });

  it('handles quoted ">" in attributes and keeps comparisons that are not tags', () => {
    expect(run('<a title="x > y" href=\'q>\'>link</a>', 'strip_html')).toBe('link');
    expect(run('a < b and 3<4, x > y', 'strip_html')).toBe('a < b and 3<4, x > y');
    expect(run('no markup at all', 'strip_html')).toBe('no markup at all');
  });

  it('leaves entities alone (that is decode_entities)', () => {
    expect(run('&lt;b&gt;bold&lt;/b&gt;', 'strip_html')).toBe('&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('decode_entities', () => {
  it('decodes named, decimal and hex references', () => {
    expect(run('Tom &amp; Jerry &quot;hi&quot; it&#39;s &#x1F600; caf&eacute; &mdash; &hellip;&nbsp;!', 'decode_entities')).toBe(
      'Tom & Jerry "hi" it\'s 😀 café — …\u00A0!',
    );
  });

  it('decodes one level only and leaves unknown or unterminated references', () => {
    expect(run('&amp;nbsp; &amp;lt;', 'decode_entities')).toBe('&nbsp; &lt;');
    expect(run('AT&T ?a=1&copy=2 &bogus; &amp', 'decode_entities')).toBe('AT&T ?a=1&copy=2 &bogus; &amp');
  });

  it('decodes upper-cased entity names as their lower-case entity', () => {
    expect(run('BEST&NBSP;EVER &MDASH; &AMP; &Eacute;&eacute; &Bogus;', 'decode_entities')).toBe('BEST\u00A0EVER — & Éé &Bogus;');
  });

  it('maps invalid and Windows-1252 numeric references like a browser', () => {
    expect(run('&#0;&#xD800;&#x110000;', 'decode_entities')).toBe('\uFFFD\uFFFD\uFFFD');
    expect(run('&#150;&#8217;&#146;', 'decode_entities')).toBe('–’’');
  });

  it('keeps escaped markup as text when run after strip_html', () => {
    expect(run('<p>&lt;b&gt; is bold</p>', 'strip_html', 'decode_entities')).toBe('\n<b> is bold\n');
  });
});

describe('normalize_whitespace', () => {
  it('collapses runs of spaces, tabs, newlines, NBSP and ideographic spaces to one space', () => {
    expect(run('  a \u00A0 b\t\tc\n\nd\r\ne\u3000f\u2003g  ', 'normalize_whitespace')).toBe(' a b c d e f g ');
  });

  it('drops zero-width characters but keeps ZWJ emoji sequences', () => {
    expect(run('zero\u200Bwidth \u200B gap\uFEFF', 'normalize_whitespace')).toBe('zerowidth gap');
    expect(run('family 👨‍👩‍👧', 'normalize_whitespace')).toBe('family 👨‍👩‍👧');
  });

  it('returns clean text as is', () => {
    expect(run('already clean', 'normalize_whitespace')).toBe('already clean');
  });
});

describe('normalize_unicode', () => {
  const nfd = 'Cafe\u0301 \u1100\u1161\u11A8'; // "Café 각" decomposed
  it('composes to NFC by default', () => {
    const out = run(nfd, 'normalize_unicode');
    expect(out).toBe('Café 각');
    expect(out).toBe(out.normalize('NFC'));
    expect(out.length).toBeLessThan(nfd.length);
  });

  it('takes NFKC, NFD and NFKD as options', () => {
    expect(run('ｆｕｌｌ１２ ﬁ', { normalize_unicode: { form: 'NFKC' } })).toBe('full12 fi');
    expect(run('Café', { normalize_unicode: { form: 'NFD' } })).toBe('Cafe\u0301');
    expect(run('ﬁé', { normalize_unicode: { form: 'NFKD' } })).toBe('fie\u0301');
    expect(run('ｆｕｌｌ', { normalize_unicode: { form: 'NFC' } })).toBe('ｆｕｌｌ');
  });
});

describe('mask_pii', () => {
  it.each([
    ['Reach me at john.doe12@example.com please.', 'Reach me at [EMAIL] please.'],
    ['메일 주세요 minji.kim7@test.co.kr', '메일 주세요 [EMAIL]'],
    ['dots lost: saralee292@examplecom please, root@localhost', 'dots lost: [EMAIL] please, [EMAIL]'],
    ['Call me at +1 (555) 234-5678.', 'Call me at [PHONE].'],
    ['연락처: 010-1234-5678', '연락처: [PHONE]'],
    ['전화 010.1234.5678 또는 01012345678입니다', '전화 [PHONE] 또는 [PHONE]입니다'],
    ['+82 10 1234 5678 / +82-10-1234-5678 / +82 (0)10-1234-5678', '[PHONE] / [PHONE] / [PHONE]'],
    ['서울 02-123-4567, 경기 031-1234-5678, 대표 1588-1234', '서울 [PHONE], 경기 [PHONE], 대표 [PHONE]'],
    ['(555) 123-4567 or 555-123-4567 or 555.123.4567', '[PHONE] or [PHONE] or [PHONE]'],
  ])('masks %j', (input, expected) => {
    expect(run(input, 'mask_pii')).toBe(expected);
  });

  it.each([
    'on 2024-01-15 at 12:30',
    'from 1999-2005 and 1600-1700',
    'order 1234567890',
    'ip 192.168.1.100',
    'price $1,234,567',
    'version 1.2.3',
    'meet @ 5pm, ping @john, 2@5',
    'card 4111 1111 1111 1111',
  ])('leaves non-PII %j alone', (input) => {
    expect(run(input, 'mask_pii')).toBe(input);
  });

  it('honours options: masks, and emails or phones only', () => {
    expect(run('a@b.io 010-1234-5678', { mask_pii: { emails: true, phones: false, email_mask: '<e>', phone_mask: '[PHONE]' } })).toBe(
      '<e> 010-1234-5678',
    );
    expect(run('a@b.io 010-1234-5678', { mask_pii: { emails: false, phones: true, email_mask: '[EMAIL]', phone_mask: '$&' } })).toBe(
      'a@b.io $&',
    );
  });

  it('stays fast on long inputs without PII shape', () => {
    const long = `${'a'.repeat(200_000)}@`;
    const started = Date.now();
    expect(run(long, 'mask_pii')).toBe(long);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('truncate', () => {
  it('keeps at most max_length code points', () => {
    expect(run('abcdef', { truncate: { max_length: 3 } })).toBe('abc');
    expect(run('abc', { truncate: { max_length: 3 } })).toBe('abc');
    expect(run('안녕하세요', { truncate: { max_length: 2 } })).toBe('안녕');
  });

  it('never splits a surrogate pair', () => {
    const out = run('😀😀😀', { truncate: { max_length: 2 } });
    expect(out).toBe('😀😀');
    expect([...out]).toHaveLength(2);
    expect(run('a😀b', { truncate: { max_length: 2 } })).toBe('a😀');
  });
});

describe('trim', () => {
  it('removes leading and trailing whitespace including NBSP and BOM', () => {
    expect(run('\uFEFF \u00A0 text \n\t', 'trim')).toBe('text');
  });
});

describe('compileRules / applyRules', () => {
  it('applies steps in the order written', () => {
    const text = '&lt;b&gt;x';
    expect(run(text, 'decode_entities', 'strip_html')).toBe('x');
    expect(run(text, 'strip_html', 'decode_entities')).toBe('<b>x');
  });

  it('keeps null as null and handles empty text', () => {
    expect(applyRules(null, ['strip_html', 'trim'])).toBeNull();
    expect(applyRules('', ['strip_html', 'decode_entities', 'normalize_whitespace', 'mask_pii', 'trim'])).toBe('');
  });

  it('is the identity for an empty list', () => {
    expect(compileRules([])('  x  ')).toBe('  x  ');
  });

  it('lists every step name and compiles each of them', () => {
    expect([...RULE_NAMES].sort()).toEqual(
      ['decode_entities', 'fix_mojibake', 'mask_pii', 'normalize_unicode', 'normalize_whitespace', 'strip_html', 'trim', 'truncate'],
    );
    expect(() => compileRules([{ truncate: { max_length: 1 } }, ...RULE_NAMES.filter((n) => n !== 'truncate')] as RuleStep[])).not.toThrow();
  });

  it('refuses an unknown step at compile time', () => {
    expect(() => compileRules(['shout' as RuleStep])).toThrow(/unknown rule step "shout"/);
  });
});
