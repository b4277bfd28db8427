/**
 * Turn a notice event into an email: subject, plain-text part and a simple
 * HTML part. Every interpolated value is redacted, and escaped in the HTML.
 */
import { redactText } from '../logger';
import type { NoticeEvent } from './events';
import { headline, nextSteps, type NoticeLinks } from './kinds';

/** Context of one send: where links point and how many events the group holds. */
export interface RenderContext {
  /** Base URL of the API/Bull Board, without trailing slash. */
  publicUrl: string;
  /** Events in the group (1 = a single event). */
  count: number;
  /** ISO time of the group's first and last event. */
  firstAt: string;
  lastAt: string;
  /** Extra secret values to mask (e.g. configured tokens). */
  secrets?: readonly string[];
  /** Set on a follow-up summary: how many events earlier notices already reported. */
  alreadyReported?: number;
}

/** A rendered notice. */
export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** Stack lines shown in a notice. */
export const STACK_LINES = 8;

/** Build the links of a notice. */
export function noticeLinks(e: NoticeEvent, publicUrl: string): NoticeLinks {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    board: `${base}/admin/queues`,
    api: `${base}/api`,
    run: e.runId ? `${base}/api/runs/${encodeURIComponent(e.runId)}` : undefined,
  };
}

/** "50 s", "15 min", "3 h": the span of a group. */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** Render a notice (see module doc). */
export function renderNotice(e: NoticeEvent, ctx: RenderContext): RenderedNotice {
  const clean = (s: string): string => redactText(s, ctx.secrets ?? []);
  const links = noticeLinks(e, ctx.publicUrl);
  const span = Date.parse(ctx.lastAt) - Date.parse(ctx.firstAt);
  const countPart = ctx.count > 1 ? ` (x${ctx.count} in ${formatSpan(Number.isFinite(span) ? span : 0)})` : '';
  const follow = ctx.alreadyReported !== undefined ? 'Follow-up: ' : '';
  const subject = clean(`[dataops] ${follow}${headline(e)}${countPart}`).replace(/\s+/g, ' ').slice(0, 250);

  const fields: Array<[string, string]> = [['What happened', headline(e)]];
  if (e.pipeline) fields.push(['Pipeline', e.pipeline]);
  if (e.runId) fields.push(['Run id', e.runId]);
  if (e.step) fields.push(['Step', e.step]);
  fields.push(['When', ctx.count > 1 ? `${ctx.count} times, first ${ctx.firstAt}, last ${ctx.lastAt}` : e.occurredAt]);
  if (ctx.alreadyReported !== undefined) {
    fields.push(['Since last notice', `${Math.max(0, ctx.count - ctx.alreadyReported)} more (${ctx.count} in this window)`]);
  }
  if (e.error) fields.push(['Error', e.error.message]);
  if (e.kept) fields.push(['What was kept', e.kept]);
  for (const [k, v] of kindFields(e)) fields.push([k, v]);
  for (const [k, v] of Object.entries(e.details ?? {})) fields.push([k, typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)]);
  const stack = e.error?.stack ? e.error.stack.split('\n').slice(0, STACK_LINES).map((l) => l.trimEnd()) : [];
  const linkRows: Array<[string, string]> = [['Bull Board', links.board]];
  if (links.run) linkRows.push(['Run (API)', links.run]);
  const steps = nextSteps(e, links);

  const text = clean(
    [
      headline(e),
      '',
      ...fields.map(([k, v]) => `${k}: ${v}`),
      ...(stack.length ? ['', `Stack (top ${STACK_LINES} lines):`, ...stack.map((l) => `  ${l}`)] : []),
      '',
      'Links:',
      ...linkRows.map(([k, v]) => `  ${k}: ${v}`),
      '',
      'What to do next:',
      ...steps.map((s, i) => `  ${i + 1}. ${s}`),
      '',
      '-- dataops notifier',
    ].join('\n'),
  );

  const h = (s: string): string => escapeHtml(clean(s));
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${h(headline(e))}</h2>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...fields.map(([k, v]) => `<tr><th align="left" valign="top">${h(k)}</th><td>${h(v)}</td></tr>`),
    '</table>',
    ...(stack.length ? [`<h3>Stack (top ${STACK_LINES} lines)</h3>`, `<pre>${h(stack.join('\n'))}</pre>`] : []),
    '<h3>Links</h3><ul>',
    ...linkRows.map(([k, v]) => `<li>${h(k)}: <a href="${h(v)}">${h(v)}</a></li>`),
    '</ul><h3>What to do next</h3><ol>',
    ...steps.map((s) => `<li>${h(s)}</li>`),
    '</ol></body></html>',
  ].join('\n');

  return { subject, text, html };
}

function kindFields(e: NoticeEvent): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (k: string, v: unknown): void => {
    if (v !== undefined) out.push([k, Array.isArray(v) ? v.join(', ') : String(v)]);
  };
  switch (e.kind) {
    case 'quality_gate_failed': add('Failed checks', e.failedChecks); break;
    case 'chunk_dead_lettered': add('Dead letter id', e.dlqId); add('Chunk', e.chunk); break;
    case 'budget_reached': add('Spent (USD)', e.spentUsd); add('Budget (USD)', e.budgetUsd); break;
    case 'breaker_opened': add('Provider', e.provider); break;
    case 'collector_failing': add('Source', e.source); add('Failures', e.failures); break;
    case 'schedule_missed': add('Scheduled for', e.scheduledFor); break;
    case 'disk_low': add('Path', e.path); add('Free bytes', e.freeBytes); add('Free ratio', e.freeRatio); break;
    case 'alert_firing':
    case 'alert_resolved': add('Rule', e.rule); add('Value', e.value); add('Threshold', e.threshold); break;
    case 'digest': add('Period', e.period); add('Runs', e.runs); add('Rows', e.rows); add('Cost (USD)', e.costUsd); break;
    default: break;
  }
  return out;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
