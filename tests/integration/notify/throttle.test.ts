/**
 * De-duplication and throttling with real Redis, BullMQ and SMTP.
 */
import { noticeStats } from '../../../src/notify/throttle';
import type { NoticeEvent } from '../../../src/notify/events';
import { fakeError, startHarness, type Harness } from './harness';

const failure = (i: number, pipeline = 'sample_daily', step = 'finalize'): NoticeEvent => ({
  kind: 'run_failed',
  pipeline,
  runId: `run-${1000 + i}`,
  step,
  // Numbers and ids differ per event; the fingerprint strips them.
  error: fakeError(`merge failed after ${3000 + i} ms for run-${1000 + i} (part 0x${(0xabcdef01 + i).toString(16)})`),
  occurredAt: new Date().toISOString(),
});

describe('notice throttling', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('50 identical failures within the window produce exactly 1 email carrying the count', async () => {
    h = await startHarness({ groupWaitMs: 300, windowSeconds: 60 });
    const hh = h;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => hh.raise(failure(i))));
    expect(results.filter((r) => !r.grouped)).toHaveLength(1);
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    await h.waitFor(() => hh.completed.length >= 1, 10_000, 'the send job');
    expect(h.completed[0]!.result).toMatchObject({ sent: true, channels: ['email'], count: 50 });
    expect(await h.pending()).toBe(0);
    expect(h.sink.messages).toHaveLength(1);
    const mail = h.sink.messages[0]!.mail;
    expect(mail.subject).toMatch(/^\[dataops\] FAILED run sample_daily \(run-1000\) at finalize \(x50 in \d+ s\)$/);
    expect(mail.text).toContain('When: 50 times, first ');
    expect(mail.html).toContain('50 times, first ');
    expect(await noticeStats(h.redis, h.keyPrefix)).toEqual({ 'run_failed:raised': 50, 'run_failed:email': 1 });
  });

  it('two different failures produce 2 emails', async () => {
    h = await startHarness({ groupWaitMs: 100, windowSeconds: 60 });
    const hh = h;
    const a = await h.raise(failure(1, 'pipe_a', 'finalize'));
    const b = await h.raise(failure(2, 'pipe_a', 'collect'));
    expect([a.grouped, b.grouped]).toEqual([false, false]);
    await h.waitFor(() => hh.completed.length >= 2, 10_000, 'two send jobs');
    expect(await h.pending()).toBe(0);
    const subjects = h.sink.messages.map((m) => m.mail.subject).sort();
    expect(subjects).toEqual(['[dataops] FAILED run pipe_a (run-1001) at finalize', '[dataops] FAILED run pipe_a (run-1002) at collect']);
  });

  it('events after the first email get one follow-up at window end; after the window a new group starts', async () => {
    h = await startHarness({ groupWaitMs: 50, windowSeconds: 1.2 });
    const hh = h;
    const started = Date.now();
    await h.raise(failure(1));
    await h.sink.waitForMessages(1, 5000);
    expect(h.sink.messages[0]!.mail.subject).toBe('[dataops] FAILED run sample_daily (run-1001) at finalize');

    const later = [await h.raise(failure(2)), await h.raise(failure(3))];
    expect(later.map((r) => [r.grouped, r.count])).toEqual([[true, 2], [true, 3]]);
    expect(Date.now() - started).toBeLessThan(1200); // still inside the window, or the test proves nothing

    const [, summary] = await h.sink.waitForMessages(2, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    expect(summary!.mail.subject).toMatch(/^\[dataops\] Follow-up: FAILED run sample_daily \(run-1003\) at finalize \(x3 in \d+ s\)$/);
    expect(summary!.mail.text).toContain('Since last notice: 2 more (3 in this window)');

    // The window is over: the same failure opens a new group and mails again, without a count.
    const next = await h.raise(failure(4));
    expect(next).toEqual({ grouped: false, count: 1 });
    const all = await h.sink.waitForMessages(3, 5000);
    expect(all[2]!.mail.subject).toBe('[dataops] FAILED run sample_daily (run-1004) at finalize');
    await h.waitFor(() => hh.completed.length >= 3, 5000, 'three jobs');
    expect(await h.pending()).toBe(0);
    expect(h.sink.messages).toHaveLength(3);
  });

  it('no follow-up is sent when nothing arrived after the first email', async () => {
    h = await startHarness({ groupWaitMs: 200, windowSeconds: 0.6 });
    const hh = h;
    await Promise.all([h.raise(failure(1)), h.raise(failure(2))]);
    await h.waitFor(() => hh.completed.length >= 1, 5000, 'send job');
    expect(h.completed[0]!.result?.count).toBe(2);
    // No summary job was ever scheduled.
    expect(await h.pending()).toBe(0);
    expect(h.sink.messages).toHaveLength(1);
  });
});
