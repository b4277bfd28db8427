import * as path from 'node:path';
import { compileRules, type RuleFn } from '../../../src/cleaning/rules';
import { loadTask } from '../../../src/resources/tasks';
import { cp1252Mojibake, latin1Mojibake } from './mojibake-helpers';

const RESOURCES = path.resolve(__dirname, '../../../resources');

describe('the shipped normalize_text task', () => {
  let clean: RuleFn;

  beforeAll(async () => {
    const task = await loadTask(RESOURCES, 'normalize_text');
    expect(task.engine).toBe('rules');
    expect(task.rules.after).toEqual([]);
    clean = compileRules([...task.rules.before, ...task.rules.after]);
  });

  // Shapes the sample collector produces: HTML wrappers with entities, whitespace runs,
  // NFD text, mojibake, PII, and combinations of them.
  it.each([
    ['<p><b>Review:</b>&nbsp;Great   product,\tfast delivery!</p>\n<p>&mdash; sent from my phone</p>', 'Review: Great product, fast delivery! — sent from my phone'],
    ['<div class="review-body">배송이&nbsp;빨라요 &amp; 품질도 좋아요<br/></div>', '배송이 빨라요 & 품질도 좋아요'],
    ['<!-- imported --><ul><li>It&#39;s &quot;fine&quot;</li></ul>', 'It\'s "fine"'],
    ['  Cafe\u0301 au lait\u00A0 \u00A0 was  great \r\n', 'Café au lait was great'],
    [latin1Mojibake('정말 만족스러운 구매였습니다'), '정말 만족스러운 구매였습니다'],
    [latin1Mojibake(latin1Mojibake('정말 만족스러운 구매였습니다')), '정말 만족스러운 구매였습니다'],
    [cp1252Mojibake('The café’s coffee — “excellent”'), 'The café’s coffee — “excellent”'],
    ['Good stuff. Call me at +1 (555) 234-5678.', 'Good stuff. Call me at [PHONE].'],
    [' 좋아요 연락처: 010-1234-5678', '좋아요 연락처: [PHONE]'],
    ['Reach me at sara.lee42@mail.example.org please.', 'Reach me at [EMAIL] please.'],
    ['<p>문의 minji.kim7&#64;test.co.kr</p>', '문의 [EMAIL]'],
    ['전화 010-1234-\n5678', '전화 [PHONE]'],
    // Fullwidth forms (NFKC) must not hide PII.
    ['연락처: ０１０-９８９５-２６０９ ｐｌｅａｓｅ', '연락처: [PHONE] please'],
    ['Reach me at j_park４１@naver.example please', 'Reach me at [EMAIL] please'],
    ['<P><B>REVIEW:</B>&NBSP;GREAT&NBSP;PRODUCT &MDASH; SENT</P>', 'REVIEW: GREAT PRODUCT — SENT'],
    [`<p>${latin1Mojibake('한글 리뷰')}&nbsp;&amp; more</p>`, '한글 리뷰 & more'],
  ])('cleans %j', (input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  it('maps empty and whitespace-only text to the empty string', () => {
    expect(clean('')).toBe('');
    expect(clean(' \t\n\u00A0 ')).toBe('');
    expect(clean('<p></p>')).toBe('');
  });

  it('is idempotent on its own output', () => {
    const once = clean('<p>Tom &amp; Jerry&nbsp;&nbsp;call 010-1234-5678 ' + latin1Mojibake('반가워요') + '</p>');
    expect(clean(once)).toBe(once);
  });
});
