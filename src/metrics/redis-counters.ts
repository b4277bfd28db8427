/**
 * Cluster-wide counters and histograms kept in one Redis hash, so that every
 * worker process adds to the same numbers and the API process exposes them.
 *
 * Key: `<keyPrefix>:metrics:counters`, a hash whose fields are label-encoded:
 * - counter:   `<name>|<k>=<v>&<k>=<v>`                 (labels sorted by name)
 * - histogram: `<name>:bucket|<labels>&le=<bound>`        (per-bucket, NOT cumulative)
 *              `<name>:sum|<labels>`, `<name>:count|<labels>`
 *
 * Keys and values are URI-encoded, so `|`, `&` and `=` in a label are safe.
 * Every increment of one call is a single MULTI (HINCRBYFLOAT per field).
 */
import type { Redis } from 'ioredis';

/** Label values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** One counter increment. */
export interface CounterInc {
  name: string;
  labels?: Labels;
  value: number;
}

/** One histogram observation; `buckets` are the histogram's upper bounds (ascending, no +Inf). */
export interface Observation {
  name: string;
  labels?: Labels;
  value: number;
  buckets: readonly number[];
}

/** A counter series as read back. */
export interface CounterSeries {
  labels: Record<string, string>;
  value: number;
}

/** A histogram series as read back: per-bucket counts keyed by `le` (`+Inf` included), not cumulative. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: Map<string, number>;
  sum: number;
  count: number;
}

/** Everything in the hash, grouped by metric name. */
export interface CounterSnapshot {
  counters: Map<string, CounterSeries[]>;
  histograms: Map<string, HistogramSeries[]>;
}

/** The hash key under an application key prefix. */
export function countersKey(keyPrefix: string): string {
  return `${keyPrefix}:metrics:counters`;
}

/** Encode labels as `k=v&k=v`, sorted by key. */
export function encodeLabels(labels: Labels = {}): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(labels[k]!)}`)
    .join('&');
}

/** Decode {@link encodeLabels}. */
export function decodeLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split('&')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1));
  }
  return out;
}

/** The upper bound label of the bucket `value` falls in. */
export function bucketOf(value: number, buckets: readonly number[]): string {
  const b = buckets.find((bound) => value <= bound);
  return b === undefined ? '+Inf' : String(b);
}

/** Add counters and histogram observations in one round trip. Non-finite or non-positive counter values are skipped. */
export async function incrementCounters(redis: Redis, key: string, incs: readonly CounterInc[], observations: readonly Observation[] = []): Promise<void> {
  const tx = redis.multi();
  let n = 0;
  for (const c of incs) {
    if (!Number.isFinite(c.value) || c.value <= 0) continue;
    tx.hincrbyfloat(key, `${c.name}|${encodeLabels(c.labels)}`, c.value);
    n++;
  }
  for (const o of observations) {
    if (!Number.isFinite(o.value)) continue;
    const v = Math.max(0, o.value);
    const labels = encodeLabels(o.labels);
    const le = `le=${encodeURIComponent(bucketOf(v, o.buckets))}`;
    tx.hincrbyfloat(key, `${o.name}:bucket|${labels ? `${labels}&${le}` : le}`, 1);
    tx.hincrbyfloat(key, `${o.name}:sum|${labels}`, v);
    tx.hincrbyfloat(key, `${o.name}:count|${labels}`, 1);
    n += 3;
  }
  if (n > 0) await tx.exec();
}

/** Read the whole hash back, grouped by metric. */
export async function readCounters(redis: Redis, key: string): Promise<CounterSnapshot> {
  const raw = await redis.hgetall(key);
  const counters = new Map<string, CounterSeries[]>();
  const hist = new Map<string, Map<string, HistogramSeries>>();
  const series = (name: string, labelText: string): HistogramSeries => {
    let byLabels = hist.get(name);
    if (!byLabels) hist.set(name, (byLabels = new Map()));
    let s = byLabels.get(labelText);
    if (!s) byLabels.set(labelText, (s = { labels: decodeLabels(labelText), buckets: new Map(), sum: 0, count: 0 }));
    return s;
  };
  for (const [field, text] of Object.entries(raw)) {
    const bar = field.indexOf('|');
    if (bar <= 0) continue;
    const head = field.slice(0, bar);
    const labelText = field.slice(bar + 1);
    const value = Number(text);
    if (!Number.isFinite(value)) continue;
    const colon = head.lastIndexOf(':');
    const part = colon > 0 ? head.slice(colon + 1) : '';
    if (part === 'bucket') {
      const labels = decodeLabels(labelText);
      const le = labels.le ?? '+Inf';
      delete labels.le;
      series(head.slice(0, colon), encodeLabels(labels)).buckets.set(le, value);
    } else if (part === 'sum' || part === 'count') {
      series(head.slice(0, colon), labelText)[part] = value;
    } else {
      const list = counters.get(head) ?? [];
      list.push({ labels: decodeLabels(labelText), value });
      counters.set(head, list);
    }
  }
  const histograms = new Map([...hist].map(([name, m]) => [name, [...m.values()]]));
  return { counters, histograms };
}
