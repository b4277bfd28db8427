/**
 * Tiny inline SVG charts, rendered on the server. Every value is escaped and
 * every bar carries its number in `data-*` attributes and a text label, so the
 * page is readable without scripts and testable in a browser.
 */

/** Escape text for HTML text and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One stacked series. */
export interface Series {
  name: string;
  color: string;
  values: number[];
}

/** Chart options. */
export interface ChartOptions {
  id: string;
  /** One label per bar (e.g. MM-DD). */
  labels: string[];
  /** Accessible title. */
  title: string;
  /** How totals print above bars. */
  format?: (n: number) => string;
  width?: number;
  height?: number;
}

const PAD = { top: 22, right: 10, bottom: 26, left: 10 };

/** Bars stacked per label; one `<rect class="bar">` per non-zero segment, one `<text class="total">` per label. */
export function stackedBars(series: Series[], o: ChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 200;
  const fmt = o.format ?? ((n: number) => String(n));
  const n = o.labels.length;
  const totals = o.labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotH = height - PAD.top - PAD.bottom;
  const slot = (width - PAD.left - PAD.right) / Math.max(1, n);
  const barW = Math.max(4, slot * 0.6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let y = PAD.top + plotH;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const h = Math.max(1, (v / max) * plotH);
      y -= h;
      parts.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${esc(s.color)}" ` +
          `data-label="${esc(o.labels[i])}" data-series="${esc(s.name)}" data-value="${esc(v)}"><title>${esc(o.labels[i])} ${esc(s.name)}: ${esc(fmt(v))}</title></rect>`,
      );
    }
    const cx = (x + barW / 2).toFixed(1);
    parts.push(`<text class="total" x="${cx}" y="${(y - 5).toFixed(1)}" text-anchor="middle" data-label="${esc(o.labels[i])}" data-value="${esc(totals[i])}">${esc(fmt(totals[i]!))}</text>`);
    parts.push(`<text class="axis" x="${cx}" y="${height - 8}" text-anchor="middle">${esc(o.labels[i])}</text>`);
  }
  const base = PAD.top + plotH;
  return (
    `<svg class="chart" id="${esc(o.id)}" role="img" aria-label="${esc(o.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(o.title)}</title><line x1="${PAD.left}" x2="${width - PAD.right}" y1="${base}" y2="${base}" stroke="#bbb"/>${parts.join('')}</svg>`
  );
}

/** A legend for stacked series. */
export function legend(series: Series[]): string {
  return `<p class="legend">${series.map((s) => `<span><i style="background:${esc(s.color)}"></i>${esc(s.name)}</span>`).join(' ')}</p>`;
}
