import { NOTICE_KINDS, fingerprintHash, noticeEventSchema, noticeFingerprint, normalizeErrorMessage, type NoticeEvent } from '../../../src/notify/events';

const at = '2026-01-15T02:00:00.000Z';
const failed = (message: string, over: Partial<NoticeEvent> = {}): NoticeEvent =>
  ({ kind: 'run_failed', pipeline: 'p', step: 'finalize', error: { message }, occurredAt: at, ...over }) as NoticeEvent;

describe('notice events', () => {
  it('accepts every kind and rejects unknown kinds, bad dates and bad recipients with a named path', () => {
    for (const kind of NOTICE_KINDS) {
      const extra = kind === 'alert_firing' || kind === 'alert_resolved' ? { rule: 'r' } : {};
      expect(noticeEventSchema.safeParse({ kind, occurredAt: at, ...extra }).success).toBe(true);
    }
    expect(noticeEventSchema.safeParse({ kind: 'nope', occurredAt: at }).success).toBe(false);
    const badDate = noticeEventSchema.safeParse({ kind: 'run_failed', occurredAt: 'yesterday' });
    expect(badDate.success || badDate.error.issues[0]!.path).toEqual(['occurredAt']);
    const badMail = noticeEventSchema.safeParse({ kind: 'run_failed', occurredAt: at, recipients: ['not-an-email'] });
    expect(badMail.success || badMail.error.issues[0]!.path).toEqual(['recipients', 0]);
    expect(noticeEventSchema.safeParse({ kind: 'alert_firing', occurredAt: at }).success).toBe(false);
  });

  it('normalizes numbers, ids, hex, uuids, timestamps and quoted values out of error messages', () => {
    expect(normalizeErrorMessage('Timeout after 3000 ms for run-abc123 at 2026-01-15T02:00:00.123Z')).toBe(
      normalizeErrorMessage('Timeout after 45 ms for run-zz9 at 2026-02-01T03:04:05Z'),
    );
    expect(normalizeErrorMessage('job 5f2b9c1e-aaaa-4bbb-8ccc-123456789abc failed: 0xdeadbeef "foo"')).toBe('job <id> failed: <hex> <v>');
    expect(normalizeErrorMessage('ECONNREFUSED 127.0.0.1:6379')).toBe(normalizeErrorMessage('ECONNREFUSED 10.1.2.3:16379'));
    expect(normalizeErrorMessage('ECONNREFUSED 127.0.0.1:6379')).not.toBe(normalizeErrorMessage('ETIMEDOUT 127.0.0.1:6379'));
  });

  it('groups the same failure and separates different kinds, pipelines, steps, rules and errors', () => {
    const a = noticeFingerprint(failed('merge failed after 31 ms (run-1)', { runId: 'run-1' }));
    expect(noticeFingerprint(failed('merge failed after 99 ms (run-2)', { runId: 'run-2' }))).toBe(a);
    expect(noticeFingerprint(failed('merge failed after 31 ms (run-1)', { pipeline: 'q' }))).not.toBe(a);
    expect(noticeFingerprint(failed('merge failed after 31 ms (run-1)', { step: 'collect' }))).not.toBe(a);
    expect(noticeFingerprint(failed('disk full'))).not.toBe(a);
    expect(noticeFingerprint({ ...failed('merge failed after 31 ms (run-1)'), kind: 'quality_gate_failed' })).not.toBe(a);
    const r1 = noticeFingerprint({ kind: 'alert_firing', rule: 'error_rate', occurredAt: at });
    expect(noticeFingerprint({ kind: 'alert_firing', rule: 'p95_latency', occurredAt: at })).not.toBe(r1);
    expect(fingerprintHash(a)).toMatch(/^[0-9a-f]{20}$/);
  });
});
