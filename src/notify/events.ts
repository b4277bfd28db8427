/**
 * Notice events: what pipeline code raises when something needs a human.
 * One zod schema per kind, discriminated by `kind`, sharing the common fields.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Every notice kind, in the order the docs list them. */
export const NOTICE_KINDS = [
  'run_failed',
  'quality_gate_failed',
  'chunk_dead_lettered',
  'budget_reached',
  'breaker_opened',
  'collector_failing',
  'schedule_missed',
  'disk_low',
  'alert_firing',
  'alert_resolved',
  'digest',
] as const;
/** A notice kind. */
export type NoticeKind = (typeof NOTICE_KINDS)[number];

const common = {
  pipeline: z.string().min(1).optional(),
  runId: z.string().min(1).optional(),
  /** Where it happened: collect | fanout | clean | finalize | schedule | dlq | llm | ... */
  step: z.string().min(1).optional(),
  error: z.object({ message: z.string(), stack: z.string().optional() }).optional(),
  /** What was kept, e.g. "processed file kept at …; 37 rows marked failed". */
  kept: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** Per-pipeline recipients, added to ALERT_EMAIL_TO. */
  recipients: z.array(z.email()).optional(),
};

const kindSchema = <K extends NoticeKind, S extends z.ZodRawShape>(kind: K, extra: S) =>
  z.object({ kind: z.literal(kind), ...common, ...extra });

/** A notice event. Kind-specific fields are optional extras shown in the mail. */
export const noticeEventSchema = z.discriminatedUnion('kind', [
  kindSchema('run_failed', {}),
  kindSchema('quality_gate_failed', { failedChecks: z.array(z.string()).optional() }),
  kindSchema('chunk_dead_lettered', { dlqId: z.string().optional(), chunk: z.number().int().min(0).optional() }),
  kindSchema('budget_reached', { spentUsd: z.number().optional(), budgetUsd: z.number().optional() }),
  kindSchema('breaker_opened', { provider: z.string().optional() }),
  kindSchema('collector_failing', { source: z.string().optional(), failures: z.number().int().optional() }),
  kindSchema('schedule_missed', { scheduledFor: z.string().optional() }),
  kindSchema('disk_low', { path: z.string().optional(), freeBytes: z.number().optional(), freeRatio: z.number().optional() }),
  kindSchema('alert_firing', { rule: z.string().min(1), value: z.number().optional(), threshold: z.number().optional() }),
  kindSchema('alert_resolved', { rule: z.string().min(1), value: z.number().optional(), threshold: z.number().optional() }),
  kindSchema('digest', {
    period: z.string().optional(),
    runs: z.number().int().optional(),
    rows: z.number().int().optional(),
    costUsd: z.number().optional(),
  }),
]);
/** A notice event (see {@link noticeEventSchema}). */
export type NoticeEvent = z.infer<typeof noticeEventSchema>;

/**
 * Lower-case the message and replace what changes between repeats of the
 * same failure (uuids, hex ids, run ids, numbers, quoted values, timestamps).
 */
export function normalizeErrorMessage(message: string): string {
  return message
    .toLowerCase()
    .replace(/\d{4}-\d{2}-\d{2}t[\d:.]+z?/g, '<ts>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<id>')
    .replace(/\b(run|job|chunk|dlq)[-_][\w-]+/g, '$1-<id>')
    .replace(/\b0x[0-9a-f]+\b/g, '<hex>')
    .replace(/\b[0-9a-f]{8,}\b/g, '<id>')
    .replace(/\b(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{12,}\b/g, '<id>')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/"[^"]*"|'[^']*'/g, '<v>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** What tells two events of one kind apart besides pipeline and step. */
function discriminator(e: NoticeEvent): string {
  switch (e.kind) {
    case 'alert_firing':
    case 'alert_resolved':
      return e.rule;
    case 'collector_failing':
      return e.source ?? '';
    case 'breaker_opened':
      return e.provider ?? '';
    case 'disk_low':
      return e.path ?? '';
    default:
      return '';
  }
}

/**
 * Grouping key: kind + pipeline + step (+ rule/source/provider) + the error
 * message with numbers and ids stripped, so the same failure repeating groups together.
 */
export function noticeFingerprint(e: NoticeEvent): string {
  const msg = e.error ? normalizeErrorMessage(e.error.message) : '';
  return [e.kind, e.pipeline ?? '-', e.step ?? '-', discriminator(e), msg].join('|');
}

/** Short stable hash of a fingerprint, safe in Redis keys and BullMQ job ids. */
export function fingerprintHash(fingerprint: string): string {
  return createHash('sha1').update(fingerprint).digest('hex').slice(0, 20);
}
