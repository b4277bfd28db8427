import type { NoticeEvent } from '../../../src/notify/events';
import { escapeHtml, formatSpan, renderNotice } from '../../../src/notify/render';

const ctx = { publicUrl: 'https://ops.example.com/', count: 1, firstAt: '2026-01-15T02:00:00Z', lastAt: '2026-01-15T02:00:00Z' };
const e: NoticeEvent = {
  kind: 'run_failed',
  pipeline: 'sample_daily',
  runId: 'run/a b',
  step: 'finalize',
  error: { message: 'x <img src=x onerror=alert(1)>', stack: Array.from({ length: 20 }, (_, i) => `line${i + 1}`).join('\n') },
  details: { attempts: 3, note: '<i>n</i>' },
  occurredAt: '2026-01-15T02:00:00Z',
};

describe('renderNotice', () => {
  it('builds subject, links (run id URL-encoded) and top 8 stack lines', () => {
    const r = renderNotice(e, ctx);
    expect(r.subject).toBe('[dataops] FAILED run sample_daily (run/a b) at finalize');
    expect(r.text).toContain('Run (API): https://ops.example.com/api/runs/run%2Fa%20b');
    expect(r.text).toContain('Bull Board: https://ops.example.com/admin/queues');
    expect(r.text).toContain('  line8\n');
    expect(r.text).not.toContain('line9');
    expect(r.text).toContain('attempts: 3');
  });

  it('escapes every interpolated value in HTML', () => {
    const { html } = renderNotice(e, ctx);
    expect(html).not.toMatch(/<img|<i>/);
    expect(html).toContain('x &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;i&gt;n&lt;/i&gt;');
    expect(escapeHtml(`a"b'c&`)).toBe('a&quot;b&#39;c&amp;');
  });

  it('adds the count and span to the subject of a group, and omits the run link without a run id', () => {
    const r = renderNotice({ ...e, runId: undefined }, { ...ctx, count: 50, lastAt: '2026-01-15T02:15:00Z' });
    expect(r.subject).toBe('[dataops] FAILED run sample_daily at finalize (x50 in 15 min)');
    expect(r.text).toContain('When: 50 times, first 2026-01-15T02:00:00Z, last 2026-01-15T02:15:00Z');
    expect(r.text).not.toContain('/api/runs/');
    expect(formatSpan(42_000)).toBe('42 s');
    expect(formatSpan(2 * 3_600_000)).toBe('2 h');
  });

  it('redacts secrets, including extra configured ones', () => {
    const r = renderNotice({ ...e, error: { message: 'POST https://u:pw123456@api/x?token=abcdef Bearer abcdefgh12345 my-secret-val' } }, { ...ctx, secrets: ['my-secret-val'] });
    for (const part of [r.subject, r.text, r.html]) {
      for (const s of ['pw123456', 'abcdef ', 'abcdefgh12345', 'my-secret-val']) expect(part).not.toContain(s);
    }
  });
});
