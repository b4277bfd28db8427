/**
 * The dashboard page: one HTML document with inline CSS and SVG, no scripts.
 * Every value from Redis is escaped; links use URI-encoded run ids.
 */
import type { RunStatus } from '../runs/run-store';
import { DEPTH_STATES, type DashboardData } from './data';
import { esc, legend, stackedBars, type Series } from './svg';

const COLORS = { completed: '#2e7d32', failed: '#c62828', running: '#f9a825', rows: '#1565c0', tokens: '#6a1b9a', cost: '#ef6c00' };

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const usd = (n: number): string => `$${n.toFixed(n >= 100 ? 0 : n >= 1 ? 2 : 4)}`;
const pct = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

/** Bull Board status filter for a run state. */
function boardStatus(state: RunStatus['state']): string {
  return state === 'completed' || state === 'failed' ? state : 'active';
}

function runRow(r: RunStatus): string {
  const id = encodeURIComponent(r.runId);
  const job = `/admin/queues/queue/pipeline/${id}`;
  const list = `/admin/queues/queue/pipeline?status=${boardStatus(r.state)}`;
  const report = r.outputs.report ? `<a href="/api/runs/${id}">status</a> · <code title="${esc(r.outputs.report)}">${esc(r.outputs.report.split(/[\\/]/).pop())}</code>` : `<a href="/api/runs/${id}">status</a>`;
  return (
    `<tr class="run" data-run="${esc(r.runId)}" data-state="${esc(r.state)}">` +
    `<td><a href="${job}">${esc(r.runId)}</a></td><td>${esc(r.pipeline)}</td>` +
    `<td><a class="state ${esc(r.state)}" href="${list}">${esc(r.state)}</a>${r.state !== 'completed' && r.state !== 'failed' ? ` ${esc(r.progress)}%` : ''}</td>` +
    `<td class="num">${int(r.counts.rowsCollected)}</td><td class="num">${int(r.counts.rowsFailed)}</td><td class="num">${usd(r.llm.costUsd)}</td>` +
    `<td>${esc(r.timings.createdAt.replace('T', ' ').slice(0, 19))}</td><td>${report}</td>` +
    `<td class="err">${esc(r.error?.message?.slice(0, 160) ?? '')}</td></tr>`
  );
}

// The dead-letter queue is a store that is kept paused on purpose: letters wait there for an operator.
function pausedNote(queue: string, paused: boolean): string {
  if (queue === 'dead-letter') return ' <small>(letters wait for an operator)</small>';
  return paused ? ' <b class="paused">paused</b>' : '';
}

function queueRows(d: DashboardData): string {
  return d.queues
    .map(
      (q) =>
        `<tr class="queue" data-queue="${esc(q.queue)}"><td><a href="/admin/queues/queue/${encodeURIComponent(q.queue)}">${esc(q.queue)}</a>${pausedNote(q.queue, q.paused)}</td>` +
        DEPTH_STATES.map((s) => `<td class="num" data-state="${s}">${int(q.counts[s] ?? 0)}</td>`).join('') +
        '</tr>',
    )
    .join('');
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#222}
header{background:#263238;color:#fff;padding:10px 20px}header a{color:#cfd8dc;margin-left:14px}
main{padding:16px 20px;display:grid;grid-template-columns:repeat(auto-fit,minmax(580px,1fr));gap:16px}
section{background:#fff;border:1px solid #dde;border-radius:6px;padding:12px 14px}h2{font-size:15px;margin:0 0 8px}
.kpi{display:flex;gap:24px}.kpi div{font-size:12px;color:#555}.kpi b{display:block;font-size:26px;color:#222}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:3px 6px;border-bottom:1px solid #eee;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}.wide{grid-column:1/-1}.err{color:#c62828;max-width:340px}
.state.completed{color:#2e7d32}.state.failed{color:#c62828}.paused{color:#c62828}
.legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font-size:11px;fill:#333}svg .axis{fill:#777}`;

/** Render the whole page. */
export function renderDashboard(d: DashboardData, opts: { refreshSeconds?: number } = {}): string {
  const labels = d.days.map((x) => x.day.slice(5));
  const runSeries: Series[] = [
    { name: 'completed', color: COLORS.completed, values: d.days.map((x) => x.completed) },
    { name: 'failed', color: COLORS.failed, values: d.days.map((x) => x.failed) },
    { name: 'running', color: COLORS.running, values: d.days.map((x) => x.running) },
  ];
  const one = (id: string, title: string, name: string, color: string, values: number[], format: (n: number) => string) =>
    stackedBars([{ name, color, values }], { id, title, labels, format });
  const refresh = opts.refreshSeconds ?? 30;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refresh > 0 ? `<meta http-equiv="refresh" content="${refresh}">` : ''}<title>DataOps dashboard</title><style>${CSS}</style></head>
<body><header><b>DataOps</b> dashboard · ${esc(d.generatedAt.replace('T', ' ').slice(0, 19))} UTC
<a href="/admin/queues">Bull Board</a><a href="/metrics">Metrics</a><a href="/api/runs?limit=50">Runs (JSON)</a></header>
<main>
<section><h2>Last ${d.days.length} days</h2><div class="kpi">
<div>Success rate<b id="success-rate" data-value="${d.successRate ?? ''}">${pct(d.successRate)}</b></div>
<div>Completed<b id="total-completed">${int(d.totals.completed)}</b></div>
<div>Failed<b id="total-failed">${int(d.totals.failed)}</b></div>
<div>Running<b id="total-running">${int(d.totals.running)}</b></div>
<div>Rows processed<b id="total-rows">${int(d.totals.rowsProcessed)}</b></div>
<div>LLM cost<b id="total-cost">${usd(d.totals.llmCostUsd)}</b></div></div>
${d.truncated ? '<p class="err">More runs than shown: charts count the newest runs only.</p>' : ''}</section>
<section><h2>Runs per day by outcome</h2>${stackedBars(runSeries, { id: 'runs-chart', title: 'Runs per day by outcome', labels })}${legend(runSeries)}</section>
<section><h2>Rows processed per day</h2>${one('rows-chart', 'Rows processed per day', 'rows', COLORS.rows, d.days.map((x) => x.rowsProcessed), int)}</section>
<section><h2>LLM tokens per day</h2>${one('tokens-chart', 'LLM tokens per day', 'tokens', COLORS.tokens, d.days.map((x) => x.llmTokens), int)}</section>
<section><h2>LLM cost per day (USD)</h2>${one('cost-chart', 'LLM cost per day', 'cost', COLORS.cost, d.days.map((x) => x.llmCostUsd), usd)}</section>
<section><h2>Queues now</h2><table id="queues"><thead><tr><th>queue</th>${DEPTH_STATES.map((s) => `<th class="num">${s}</th>`).join('')}</tr></thead><tbody>${queueRows(d)}</tbody></table></section>
<section class="wide"><h2>Latest runs</h2><table id="latest-runs"><thead><tr><th>run</th><th>pipeline</th><th>state</th><th class="num">rows</th><th class="num">failed</th><th class="num">cost</th><th>created (UTC)</th><th>report</th><th>error</th></tr></thead>
<tbody>${d.latest.map(runRow).join('') || '<tr><td colspan="9">No runs yet. Start one: <code>dataops run sample_daily --wait</code></td></tr>'}</tbody></table></section>
</main></body></html>`;
}
