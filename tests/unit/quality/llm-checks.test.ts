import { check, named, processed } from './rows';
import { countScripts } from '../../../src/quality';

const llm = { stage: 'processed' as const, engine: 'llm' as const };

describe('LLM output checks', () => {
  it('do not run for rules tasks or at the raw stage', () => {
    const rows = [processed(1, 'a', 'A')];
    const names = (r: ReturnType<typeof check>) => r.checks.map((c) => c.name);
    expect(names(check({}, rows, { stage: 'processed', engine: 'rules' }))).not.toContain('empty_output');
    expect(names(check({}, rows, { stage: 'raw', engine: 'llm' }))).not.toContain('empty_output');
    expect(names(check({}, rows, llm))).toEqual(expect.arrayContaining(['empty_output', 'long_output', 'html_output']));
    expect(names(check({}, rows, llm))).not.toContain('language_change');
  });

  it('empty_output: passes on real outputs, fails on empty ones for non-empty inputs', () => {
    const good = [processed(1, 'some text', 'Some text.'), processed(2, '', '')];
    expect(named(check({}, good, llm), 'empty_output')).toMatchObject({ passed: true, score: 1 });
    const bad = [...good, processed(3, 'more text', '  ')];
    const c = named(check({}, bad, llm), 'empty_output');
    expect(c.passed).toBe(false);
    expect(c.failing).toEqual([{ id: 3, reason: 'empty output for a non-empty input' }]);
  });

  it('long_output: flags outputs over max_length_ratio times the input (inputs count as >= 20 chars)', () => {
    const input = 'a review of about forty characters long.';
    const ok = [processed(1, input, input.repeat(2)), processed(2, 'hi', 'Hello there, friend!')];
    expect(named(check({}, ok, llm), 'long_output').passed).toBe(true);
    const c = named(check({}, [...ok, processed(3, input, input.repeat(4))], llm), 'long_output');
    expect(c.passed).toBe(false);
    expect(c.failing[0]!.id).toBe(3);
    expect(named(check({ llm_checks: { max_length_ratio: 5 } }, [processed(3, input, input.repeat(4))], llm), 'long_output').passed).toBe(true);
  });

  it('html_output: flags tags and entities left in outputs', () => {
    expect(named(check({}, [processed(1, '<b>x</b> 1 < 2', 'x 1 < 2')], llm), 'html_output').passed).toBe(true);
    for (const out of ['<p>x</p>', 'x<br/>y', 'a&nbsp;b', 'x <!-- c -->']) {
      expect(named(check({}, [processed(1, 'in', out)], llm), 'html_output').passed).toBe(false);
    }
  });

  it('language_change: flags Korean inputs answered in English when language is ko', () => {
    const cfg = { llm_checks: { language: 'ko' as const } };
    const ok = [processed(1, '이 제품 정말 좋아요!!', '이 제품 정말 좋아요.'), processed(2, '삼성 Galaxy 리뷰', '삼성 Galaxy 리뷰입니다')];
    expect(named(check(cfg, ok, llm), 'language_change')).toMatchObject({ passed: true, details: { language: 'ko' } });
    const c = named(check(cfg, [...ok, processed(3, '배송이 너무 늦어요', 'The delivery was very late.')], llm), 'language_change');
    expect(c.passed).toBe(false);
    expect(c.failing[0]).toMatchObject({ id: 3 });
    expect(c.failing[0]!.reason).toContain('0% ko script');
  });

  it('counts letters by script (Hangul vs Latin vs CJK)', () => {
    expect(countScripts('한국어 text 日本')).toMatchObject({ hangul: 3, latin: 4, cjk: 2, letters: 9 });
  });
});
