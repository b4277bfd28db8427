/**
 * Every notice kind, end to end: raiseNotice → notify queue → worker →
 * real SMTP server; the received mail is parsed and checked.
 */
import type { NoticeEvent, NoticeKind } from '../../../src/notify/events';
import type { SinkMessage } from '../../support/smtp-sink';
import { PUBLIC_URL, fakeError, startHarness, type Harness } from './harness';

interface Case {
  event: NoticeEvent;
  subject: string;
  next: string[];
}

const at = '2026-01-15T02:00:00.000Z';
const base = (kind: NoticeKind) => ({
  pipeline: `p_${kind}`,
  runId: `run-${kind}-1`,
  step: 'finalize',
  error: fakeError(`boom in ${kind} <b>bold</b> & "quoted"`),
  kept: `processed file kept at /data/processed/p_${kind}.parquet; 37 rows marked failed`,
  occurredAt: at,
  recipients: [`owner-${kind.replace(/_/g, '-')}@example.com`],
});

const cases: Case[] = [
  { event: { kind: 'run_failed', ...base('run_failed') }, subject: '[dataops] FAILED run p_run_failed (run-run_failed-1) at finalize', next: ['dataops dlq list', 'dataops run p_run_failed --wait'] },
  { event: { kind: 'quality_gate_failed', ...base('quality_gate_failed'), failedChecks: ['max_null_ratio'] }, subject: '[dataops] Quality gate failed: p_quality_gate_failed (run-quality_gate_failed-1) (max_null_ratio)', next: ['quality report', 'resources/pipelines.yaml'] },
  { event: { kind: 'chunk_dead_lettered', ...base('chunk_dead_lettered'), step: 'clean', dlqId: 'dlq-7', chunk: 3 }, subject: '[dataops] Chunk dead-lettered: p_chunk_dead_lettered (run-chunk_dead_lettered-1) chunk 3', next: ['dataops dlq list', `POST ${PUBLIC_URL}/api/dlq/dlq-7/retry`, 'dataops dlq retry dlq-7'] },
  { event: { kind: 'budget_reached', ...base('budget_reached'), step: 'clean', spentUsd: 5.01, budgetUsd: 5 }, subject: '[dataops] LLM daily budget reached: $5.01 of $5.00 (p_budget_reached (run-budget_reached-1))', next: ['LLM_DAILY_BUDGET_USD', `POST ${PUBLIC_URL}/api/queues/clean/resume`] },
  { event: { kind: 'breaker_opened', ...base('breaker_opened'), step: 'clean', provider: 'openai gpt-4o-mini' }, subject: '[dataops] Circuit breaker opened: openai gpt-4o-mini (p_breaker_opened (run-breaker_opened-1))', next: ["provider's status page"] },
  { event: { kind: 'collector_failing', ...base('collector_failing'), step: 'collect', source: 'http', failures: 5 }, subject: '[dataops] Collector failing: http for p_collector_failing (run-collector_failing-1) (5 failures)', next: ['source http is reachable'] },
  { event: { kind: 'schedule_missed', ...base('schedule_missed'), step: 'schedule', scheduledFor: '2026-01-15T02:00:00Z' }, subject: '[dataops] Schedule missed: p_schedule_missed (due 2026-01-15T02:00:00Z)', next: ['dataops schedules', `GET ${PUBLIC_URL}/api/schedules`] },
  { event: { kind: 'disk_low', ...base('disk_low'), path: '/data', freeBytes: 50 * 1048576 }, subject: '[dataops] Disk low: /data (50 MiB free)', next: ['DATA_DIR'] },
  { event: { kind: 'alert_firing', ...base('alert_firing'), rule: 'error_rate_high', value: 12.5, threshold: 5 }, subject: '[dataops] ALERT firing: error_rate_high (value 12.5, threshold 5)', next: ['"resolved" notice follows'] },
  { event: { kind: 'alert_resolved', ...base('alert_resolved'), rule: 'error_rate_high', value: 1, threshold: 5 }, subject: '[dataops] RESOLVED: error_rate_high (value 1, threshold 5)', next: ['Nothing to do'] },
  { event: { kind: 'digest', ...base('digest'), period: '2026-01-14', runs: 3, rows: 3000, costUsd: 0.42 }, subject: '[dataops] Daily digest: p_digest (2026-01-14)', next: ['this is a summary'] },
];

describe('notices for every event kind (real SMTP, real BullMQ)', () => {
  let h: Harness;
  let bySubject: Map<string, SinkMessage>;

  beforeAll(async () => {
    h = await startHarness({ groupWaitMs: 50 });
    const results = await Promise.all(cases.map((c) => h.raise(c.event)));
    expect(results.every((r) => !r.grouped && r.count === 1)).toBe(true);
    const msgs = await h.sink.waitForMessages(cases.length, 20_000);
    bySubject = new Map(msgs.map((m) => [m.mail.subject ?? '', m]));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sent exactly one mail per kind', async () => {
    await h.waitFor(() => h.completed.length === cases.length, 10_000, 'all jobs completed');
    expect(h.sink.messages).toHaveLength(cases.length);
    expect(await h.pending()).toBe(0);
  });

  it.each(cases.map((c) => [c.event.kind, c] as const))('%s: subject, recipients, fields, links and next steps', (_kind, c) => {
    const e = c.event;
    const msg = bySubject.get(c.subject);
    if (!msg) throw new Error(`no mail with subject ${c.subject}; got:\n${[...bySubject.keys()].join('\n')}`);
    const owner = e.recipients![0]!;
    expect(msg.envelope.to.sort()).toEqual(['oncall@test.local', 'ops@test.local', owner].sort());
    expect(msg.envelope.from).toBe('dataops@test.local');
    const text = msg.mail.text ?? '';
    const html = typeof msg.mail.html === 'string' ? msg.mail.html : '';
    expect(html).not.toBe('');
    const runUrl = `${PUBLIC_URL}/api/runs/${e.runId}`;
    const board = `${PUBLIC_URL}/admin/queues`;

    for (const line of [`Pipeline: ${e.pipeline}`, `Run id: ${e.runId}`, `Step: ${e.step}`, `Error: ${e.error!.message}`, `What was kept: ${e.kept}`, board, runUrl, 'What to do next:']) {
      expect(text).toContain(line);
    }
    for (const n of c.next) expect(text).toContain(n);
    const stack = e.error!.stack!.split('\n');
    expect(text).toContain(stack[7]!.trim());
    expect(text).not.toContain(stack[8]!.trim());

    for (const frag of [e.pipeline!, e.runId!, '>finalize<'.replace('finalize', e.step!), `href="${runUrl}"`, `href="${board}"`, 'What to do next']) {
      expect(html).toContain(frag);
    }
    // Interpolated values are escaped in HTML, never injected.
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain(escape(c.next[0]!));
    expect(html).toContain(escape(stack[7]!.trim()));
    expect(html).not.toContain(escape(stack[8]!.trim()));
  });
});

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
