/**
 * The notify worker's processor: read the group, render, deliver by email
 * (nodemailer) and Slack (optional). A failed delivery throws so BullMQ
 * retries with backoff; channels already delivered are not sent again.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config';
import { NonRetryableError } from '../errors';
import { redact, redactText, type Logger } from '../logger';
import type { NoticeEvent } from './events';
import { renderNotice, noticeLinks, type RenderedNotice } from './render';
import { claimGroup, markDelivered, notifyJobSchema, type NotifyJobData } from './throttle';

/** What the notify worker needs. */
export interface NotifyDeps {
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
  /** The notify queue. */
  queue: Queue;
  mail: Config['mail'];
  /** Base URL for links in notices. */
  publicUrl: string;
  groupWaitMs?: number;
  /** Mail transport; default {@link createMailTransport}(mail). `null` means log instead of mailing. */
  transport?: Transporter | null;
  /** fetch used for the Slack webhook (tests). */
  fetchImpl?: typeof fetch;
  /** Extra secret values masked in notices. */
  secrets?: readonly string[];
}

/** Result of one notify job. */
export interface NotifyResult {
  sent: boolean;
  channels: string[];
  count: number;
}

/** Create the SMTP transport from SMTP_URL, or null when it is unset (notices are then logged). */
export function createMailTransport(mail: Config['mail']): Transporter | null {
  if (!mail.smtpUrl) return null;
  // Short timeouts: a dead SMTP server should fail the attempt fast and let BullMQ back off.
  return nodemailer.createTransport({ url: mail.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
}

const transports = new WeakMap<Config['mail'], Transporter | null>();
function transportFor(deps: NotifyDeps): Transporter | null {
  if (deps.transport !== undefined) return deps.transport;
  if (!transports.has(deps.mail)) transports.set(deps.mail, createMailTransport(deps.mail));
  return transports.get(deps.mail) ?? null;
}

/** ALERT_EMAIL_TO (comma or semicolon separated) plus per-event recipients, de-duplicated. */
export function recipientsFor(mail: Config['mail'], extra: readonly string[] = []): string[] {
  const all = [...(mail.to ?? '').split(/[,;]/), ...extra].map((s) => s.trim()).filter(Boolean);
  const seen = new Set<string>();
  return all.filter((a) => (seen.has(a.toLowerCase()) ? false : (seen.add(a.toLowerCase()), true)));
}

/** Process one `send` job of the notify queue. */
export async function processNotifyJob(job: Job, deps: NotifyDeps): Promise<NotifyResult> {
  const parsed = notifyJobSchema.safeParse(job.data);
  if (!parsed.success) throw new NonRetryableError(`notify job ${job.id}: bad data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const data = parsed.data;
  const log = deps.logger.child({ queue: job.queueName, jobId: job.id, kind: data.event.kind, pipeline: data.event.pipeline, runId: data.event.runId });
  const group = await claimGroup(deps.redis, deps.keyPrefix, data);
  const count = group?.count ?? 1;
  if (data.phase === 'summary' && (!group || count <= (group.reported ?? 0))) {
    return { sent: false, channels: [], count };
  }
  // A follow-up describes the latest event of the group; the first notice, the first one.
  const event = data.phase === 'summary' ? (group?.lastEvent ?? data.event) : data.event;
  const rendered = renderNotice(event, {
    publicUrl: deps.publicUrl,
    count,
    firstAt: group?.firstAt ?? data.event.occurredAt,
    lastAt: group?.lastAt ?? data.event.occurredAt,
    secrets: deps.secrets,
    alreadyReported: data.phase === 'summary' ? (group?.reported ?? 0) : undefined,
  });
  const done = group?.done ?? new Set<string>();
  const channels: string[] = [];
  const errors: string[] = [];
  const deliver = async (channel: string, fn: () => Promise<void>): Promise<void> => {
    if (done.has(channel)) return void channels.push(channel);
    try {
      await fn();
      await markDelivered(deps.redis, deps.keyPrefix, data, channel, group !== null);
      channels.push(channel);
    } catch (err) {
      errors.push(`${channel}: ${redactText(err instanceof Error ? err.message : String(err), deps.secrets ?? [])}`);
    }
  };

  const transport = transportFor(deps);
  const to = recipientsFor(deps.mail, data.event.recipients);
  if (transport && to.length > 0) {
    await deliver('email', async () => {
      await transport.sendMail({ from: deps.mail.from, to, subject: rendered.subject, text: rendered.text, html: rendered.html });
    });
  } else {
    await deliver('log', async () => {
      log.warn(transport ? 'notice not mailed: no recipients (ALERT_EMAIL_TO)' : 'notice (SMTP_URL unset)', { subject: rendered.subject, text: rendered.text });
    });
  }
  if (deps.mail.slackWebhookUrl) {
    const url = deps.mail.slackWebhookUrl;
    await deliver('slack', () => postSlack(url, slackPayload(data, event, rendered, count, group?.firstAt, group?.lastAt, deps), deps.fetchImpl ?? fetch));
  }
  if (errors.length > 0) {
    log.warn('notice delivery failed; will retry', { attempt: job.attemptsMade + 1, attempts: job.opts.attempts, errors });
    throw new Error(`notice delivery failed: ${errors.join('; ')}`);
  }
  log.info('notice sent', { channels, count, subject: rendered.subject });
  return { sent: true, channels, count };
}

function slackPayload(data: NotifyJobData, event: NoticeEvent, r: RenderedNotice, count: number, firstAt: string | undefined, lastAt: string | undefined, deps: NotifyDeps) {
  const links = noticeLinks(event, deps.publicUrl);
  return {
    // `text` is what Slack shows; the rest carries the same event for other webhook consumers.
    text: `${r.subject}\n${links.run ?? links.board}`,
    phase: data.phase,
    count,
    firstAt: firstAt ?? data.event.occurredAt,
    lastAt: lastAt ?? data.event.occurredAt,
    links,
    event: redact(event, deps.secrets ?? []),
  };
}

async function postSlack(url: string, payload: unknown, fetchImpl: typeof fetch): Promise<void> {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  // Never put the webhook URL in the error: it is a secret.
  if (!res.ok) throw new Error(`Slack webhook answered HTTP ${res.status}`);
  await res.arrayBuffer().catch(() => undefined);
}
