/**
 * Delivery failures and channels: SMTP down, Redis down, Slack webhook, secrets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../../src/logger';
import type { NoticeEvent } from '../../../src/notify/events';
import { noticeStats, raiseNotice } from '../../../src/notify/throttle';
import { createRedis } from '../../../queues/connection';
import { fakeError, startHarness, type Harness } from './harness';

const event = (over: Partial<NoticeEvent> = {}): NoticeEvent =>
  ({
    kind: 'run_failed',
    pipeline: 'sample_daily',
    runId: 'run-abc',
    step: 'finalize',
    error: fakeError('disk full while merging parts'),
    kept: 'raw file kept',
    occurredAt: new Date().toISOString(),
    ...over,
  }) as NoticeEvent;

/** A loopback HTTP server standing in for Slack; answers with the given statuses in turn (then 200). */
async function startWebhook(statuses: number[] = []) {
  const bodies: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], ...(JSON.parse(raw) as Record<string, unknown>) });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secretpath`;
  const waitFor = (n: number, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webhook: expected ${n} posts, got ${bodies.length}`)), timeoutMs);
      const check = () => (bodies.length >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });
  return { url, bodies, waitFor, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('notice delivery', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('SMTP down: raiseNotice returns at once, the send retries, and the notice arrives exactly once when SMTP is back', async () => {
    h = await startHarness({ groupWaitMs: 50, jobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 100 } } });
    const hh = h;
    await h.sink.stop();

    const t0 = performance.now();
    const res = await h.raise(event());
    const raiseMs = performance.now() - t0;
    expect(res).toEqual({ grouped: false, count: 1 });
    expect(raiseMs).toBeLessThan(500);

    await h.waitFor(() => hh.failed.length >= 2, 10_000, 'two failed attempts');
    expect(h.failed[0]!.error!.message).toMatch(/notice delivery failed: email: .*ECONNREFUSED|connect/i);
    expect(h.completed).toHaveLength(0);

    await h.sink.restart();
    await h.waitFor(() => hh.completed.length === 1, 15_000, 'the retried send to complete');
    expect(h.completed[0]!.job.attemptsMade).toBeGreaterThanOrEqual(3);
    expect(await h.pending()).toBe(0);
    expect(h.sink.messages).toHaveLength(1);
    expect(h.sink.messages[0]!.mail.subject).toBe('[dataops] FAILED run sample_daily (run-abc) at finalize');
  });

  it('Redis down: raiseNotice neither throws nor blocks the pipeline', async () => {
    const dead = createRedis({ url: 'redis://127.0.0.1:1' });
    dead.on('error', () => undefined);
    h = await startHarness();
    const t0 = performance.now();
    const res = await raiseNotice({ redis: dead, keyPrefix: 'x', queue: h.queue, logger: silentLogger(), timeoutMs: 300 }, event());
    expect(res).toEqual({ grouped: false, count: 0 });
    expect(performance.now() - t0).toBeLessThan(2000);
    dead.disconnect();
  });

  it('Slack: the webhook receives the same event as JSON; a failed post is retried without mailing twice', async () => {
    const hook = await startWebhook([500]);
    try {
      h = await startHarness({ groupWaitMs: 50, mail: { slackWebhookUrl: hook.url }, jobOptions: { backoff: { type: 'fixed', delay: 100 } } });
      const hh = h;
      await h.raise(event({ kind: 'chunk_dead_lettered', step: 'clean', dlqId: 'dlq-9', chunk: 4 } as Partial<NoticeEvent>));
      await h.waitFor(() => hh.completed.length === 1, 10_000, 'send completes');
      expect(h.failed).toHaveLength(1);
      expect(h.failed[0]!.error!.message).toBe('notice delivery failed: slack: Slack webhook answered HTTP 500');
      expect(h.failed[0]!.error!.message).not.toContain('secretpath');
      expect(h.completed[0]!.result).toMatchObject({ sent: true, channels: ['email', 'slack'], count: 1 });
      expect(h.sink.messages).toHaveLength(1);
      expect(hook.bodies).toHaveLength(2);
      const body = hook.bodies[1]!;
      expect(body.contentType).toBe('application/json');
      expect(body.text).toContain('[dataops] Chunk dead-lettered: sample_daily (run-abc) chunk 4');
      expect(body).toMatchObject({
        phase: 'initial',
        count: 1,
        links: { board: 'http://dataops.test:3000/admin/queues', run: 'http://dataops.test:3000/api/runs/run-abc' },
        event: { kind: 'chunk_dead_lettered', pipeline: 'sample_daily', runId: 'run-abc', step: 'clean', dlqId: 'dlq-9', chunk: 4, error: { message: 'disk full while merging parts' } },
      });
      expect(await noticeStats(h.redis, h.keyPrefix)).toEqual({ 'chunk_dead_lettered:raised': 1, 'chunk_dead_lettered:email': 1, 'chunk_dead_lettered:slack': 1 });
    } finally {
      await hook.close();
    }
  });

  it('secrets in the error, stack and kept text are redacted in subject, text, HTML and Slack', async () => {
    const hook = await startWebhook();
    try {
      h = await startHarness({ groupWaitMs: 50, mail: { slackWebhookUrl: hook.url }, secrets: ['configured-token-1234'] });
      const leak = 'connect redis://admin:hunter2pass@db:6379 failed; api_key=abcd1234secret; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y; sk-live0123456789abcdef';
      await h.raise(
        event({
          pipeline: 'leaky',
          error: { message: leak, stack: `Error: ${leak}\n    at x (configured-token-1234)` },
          kept: 'nothing; token configured-token-1234 was used',
        }),
      );
      const [msg] = await h.sink.waitForMessages(1);
      await hook.waitFor(1);
      const html = typeof msg!.mail.html === 'string' ? msg!.mail.html : '';
      const everything = [msg!.mail.subject ?? '', msg!.mail.text ?? '', html, JSON.stringify(hook.bodies[0])].join('\n');
      for (const secret of ['hunter2pass', 'abcd1234secret', 'eyJhbGciOiJIUzI1NiJ9', 'sk-live0123456789abcdef', 'configured-token-1234']) {
        expect(everything).not.toContain(secret);
      }
      expect(msg!.mail.text).toContain('redis://admin:[REDACTED]@db:6379');
      expect(html).toContain('api_key=[REDACTED]');
    } finally {
      await hook.close();
    }
  });

  it('without SMTP_URL the notice is logged instead and the job succeeds', async () => {
    h = await startHarness({ groupWaitMs: 50, mail: { smtpUrl: undefined } });
    const hh = h;
    await h.raise(event());
    await h.waitFor(() => hh.completed.length === 1, 5000, 'send completes');
    expect(h.completed[0]!.result).toMatchObject({ sent: true, channels: ['log'] });
    expect(h.sink.messages).toHaveLength(0);
  });
});
