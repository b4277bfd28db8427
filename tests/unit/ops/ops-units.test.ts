/**
 * Small pure parts of the ops layer: retention.yaml validation (errors name
 * the file and field), label encoding of the Redis metric fields, histogram
 * bucket choice, HTML escaping and SVG bars, backup names, unsafe tar paths.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { esc, stackedBars } from '../../../src/dashboard/svg';
import { bucketOf, decodeLabels, encodeLabels } from '../../../src/metrics/redis-counters';
import { backupStamp } from '../../../src/ops/backup';
import { loadOpsConfig, parseOpsConfig } from '../../../src/ops/ops-config';
import { unsafePath } from '../../../src/ops/restore';

describe('retention.yaml', () => {
  it('fills defaults, and the shipped file parses to them', async () => {
    const d = parseOpsConfig(null);
    expect(d).toEqual({ max_age_days: { raw: 30, parts: 2, processed: 90, output: 365, reports: 365 }, disk: { min_free_percent: 10, min_free_mb: 1024 }, backups: { keep: 7 }, run_records: { max_age_days: 90 } });
    expect(await loadOpsConfig(path.resolve(__dirname, '..', '..', '..', 'resources'))).toEqual(d);
  });

  it('names the file and the field of a bad value', () => {
    expect(() => parseOpsConfig({ max_age_days: { raw: -1 } }, 'resources/retention.yaml')).toThrow(/^resources\/retention\.yaml: max_age_days\.raw: /);
    expect(() => parseOpsConfig({ max_age_days: { rwa: 3 } }, 'r.yaml')).toThrow(/r\.yaml: max_age_days: unknown field\(s\): rwa/);
    expect(() => parseOpsConfig({ backups: { keep: 0 } }, 'r.yaml')).toThrow(/backups\.keep/);
    expect(() => parseOpsConfig({ disk: { min_free_percent: 150 } }, 'r.yaml')).toThrow(/disk\.min_free_percent/);
  });

  it('uses defaults when the file is missing, and refuses invalid YAML naming the file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ops-cfg-'));
    try {
      expect((await loadOpsConfig(dir)).backups.keep).toBe(7);
      await fs.writeFile(path.join(dir, 'retention.yaml'), 'max_age_days: [1\n');
      await expect(loadOpsConfig(dir)).rejects.toThrow(/retention\.yaml.*invalid YAML/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('metric field encoding', () => {
  it('round-trips labels with separators in them, sorted by name', () => {
    const labels = { queue: 'a|b&c=d', outcome: 'ok' };
    expect(encodeLabels(labels)).toBe('outcome=ok&queue=a%7Cb%26c%3Dd');
    expect(decodeLabels(encodeLabels(labels))).toEqual(labels);
    expect(decodeLabels('')).toEqual({});
  });

  it('puts a value in the first bucket whose bound is >= it, else +Inf', () => {
    expect(bucketOf(0.05, [0.05, 1])).toBe('0.05');
    expect(bucketOf(0.051, [0.05, 1])).toBe('1');
    expect(bucketOf(2, [0.05, 1])).toBe('+Inf');
  });
});

describe('dashboard SVG', () => {
  it('escapes text and attributes', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('draws one rect per non-zero segment and a total per label, scaled to the tallest stack', () => {
    const svg = stackedBars(
      [
        { name: 'ok', color: '#0f0', values: [2, 0, 4] },
        { name: 'bad', color: '#f00', values: [1, 0, 0] },
      ],
      { id: 'c', title: 't', labels: ['d1', 'd2', 'd3'], height: 200 },
    );
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(3);
    expect([...svg.matchAll(/<text class="total"[^>]*data-value="(\d+)"/g)].map((m) => m[1])).toEqual(['3', '0', '4']);
    const heights = [...svg.matchAll(/data-label="d3" data-series="ok"|height="([\d.]+)" fill/g)].map((m) => m[1]).filter(Boolean).map(Number);
    // The tallest stack (4) fills the plot height (200 - 22 - 26 = 152); 2 is half of it.
    expect(heights).toEqual([76, 38, 152]);
  });
});

describe('backups', () => {
  it('names archives by UTC time', () => {
    expect(backupStamp(new Date(Date.UTC(2025, 11, 31, 23, 59, 58)))).toBe('20251231_235958');
  });

  it('recognises unsafe archive paths', () => {
    expect(unsafePath('raw/a.parquet')).toBeNull();
    expect(unsafePath('raw/..x')).toBeNull();
    expect(unsafePath('../x')).toBe('contains ".."');
    expect(unsafePath('a/../../x')).toBe('contains ".."');
    expect(unsafePath('/etc/passwd')).toBe('is absolute');
    expect(unsafePath('C:/x')).toBe('is absolute');
    expect(unsafePath('a\\..\\b')).toBe('contains ".."');
  });
});
