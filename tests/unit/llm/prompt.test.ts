import { checkReply, renderPrompt, cacheKeyOf, buildMessages } from '../../../src/cleaning/llm/prompt';
import { exhaustedQuota, parseDurationMs, retryAfterMs } from '../../../src/cleaning/llm/headers';
import { taskSchema } from '../../../src/resources/schemas';

const limits = { maxOutputRatio: 10, maxOutputMin: 100 };
const sent = [
  { id: 0, text: 'a' },
  { id: 1, text: 'b' },
  { id: 2, text: 'c' },
];
const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('renderPrompt', () => {
  it('fills {{text}} and nested {{metadata.x}}, and leaves missing fields empty', () => {
    expect(renderPrompt('[{{metadata.a.b}}|{{ metadata.n }}|{{metadata.none}}] {{text}}', 'hi', { a: { b: 'x' }, n: 3 })).toBe('[x|3|] hi');
    expect(renderPrompt('{{text}}', 'hi', null)).toBe('hi');
  });
  it('does not re-expand placeholders found inside the row text', () => {
    expect(renderPrompt('{{text}} / {{metadata.k}}', '{{metadata.k}}', { k: 'v' })).toBe('{{metadata.k}} / v');
  });
});

describe('buildMessages and cacheKeyOf', () => {
  const task = taskSchema.parse({ task_name: 't', engine: 'llm', model: 'm', system_message: 'S' });
  it('puts row text only in the user message, as a JSON array', () => {
    const msgs = buildMessages(task, [{ id: 0, text: 'row "quoted"' }]);
    expect(msgs[0]!.role).toBe('system');
    expect(msgs[0]!.content).not.toContain('row');
    expect(JSON.parse(msgs[1]!.content)).toEqual([{ id: 0, text: 'row "quoted"' }]);
  });
  it('changes with model, template inputs and temperature', () => {
    const k = cacheKeyOf(task, 'm', 'x');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKeyOf(task, 'm', 'x')).toBe(k);
    expect(cacheKeyOf(task, 'm2', 'x')).not.toBe(k);
    expect(cacheKeyOf(task, 'm', 'y')).not.toBe(k);
    expect(cacheKeyOf({ ...task, temperature: 1 }, 'm', 'x')).not.toBe(k);
    expect(cacheKeyOf({ ...task, system_message: 'T' }, 'm', 'x')).not.toBe(k);
  });
});

describe('checkReply', () => {
  it('accepts an array or {items}, in any order', () => {
    const r = checkReply(JSON.stringify({ items: [{ id: 2, text: 'C' }, { id: 0, text: 'A' }, { id: 1, text: 'B' }] }), sent, limits);
    expect([...r.good.entries()].sort()).toEqual([[0, 'A'], [1, 'B'], [2, 'C']]);
    expect(r.bad.size).toBe(0);
    expect(checkReply('```json\n[{"id":0,"text":"A"},{"id":1,"text":"B"},{"id":2,"text":"C"}]\n```', sent, limits).good.size).toBe(3);
  });
  it('keeps good items when ids are missing', () => {
    const r = checkReply('[{"id":0,"text":"A"}]', sent, limits);
    expect(r.good.get(0)).toBe('A');
    expect([...r.bad.values()]).toEqual(['reply missing id', 'reply missing id']);
  });
  it.each([
    ['not json', 'reply is not valid JSON'],
    ['{"a":1}', 'reply is not a JSON array of {id, text}'],
    ['[{"id":0,"text":"A"},{"id":0,"text":"A"},{"id":1,"text":"B"},{"id":2,"text":"C"}]', 'reply has a duplicated id'],
    ['[{"id":0,"text":"A"},{"id":1,"text":"B"},{"id":2,"text":"C"},{"id":3,"text":"D"}]', 'reply has an id that was not sent'],
    ['', 'empty reply'],
  ])('rejects every row for %j', (content, why) => {
    const r = checkReply(content, sent, limits);
    expect(r.good.size).toBe(0);
    expect([...r.bad.values()]).toEqual([why, why, why]);
  });
  it('rejects non-string and absurdly long texts per row', () => {
    const r = checkReply(JSON.stringify([{ id: 0, text: 5 }, { id: 1, text: 'x'.repeat(101) }, { id: 2, text: 'ok' }]), sent, limits);
    expect(r.bad.get(0)).toBe('reply text is not a string');
    expect(r.bad.get(1)).toMatch(/too long/);
    expect(r.good.get(2)).toBe('ok');
  });
});

describe('rate-limit headers', () => {
  it('parses OpenAI reset durations', () => {
    expect(parseDurationMs('1s')).toBe(1000);
    expect(parseDurationMs('6m0s')).toBe(360_000);
    expect(parseDurationMs('20ms')).toBe(20);
    expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500);
    expect(parseDurationMs('2.5')).toBe(2500);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
  it('prefers retry-after-ms, then Retry-After seconds or date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': new Date(10_000).toUTCString() }), 7000)).toBe(3000);
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
  it('reports an exhausted quota with its reset', () => {
    expect(exhaustedQuota(headers({ 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '1s' }))).toBeUndefined();
    expect(
      exhaustedQuota(headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '120ms', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '2s' })),
    ).toEqual({ waitMs: 2000, which: 'tokens' });
  });
});
