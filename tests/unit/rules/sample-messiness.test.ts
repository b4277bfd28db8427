/**
 * The shipped normalize_text task over the sample collector's own messy rows
 * (every kind of mess turned up high): what comes out must be clean.
 */
import * as path from 'node:path';
import { compileRules } from '../../../src/cleaning/rules';
import { sampleCollector } from '../../../src/collectors/sample';
import { createLogger } from '../../../src/logger';
import { loadTask } from '../../../src/resources/tasks';

const RESOURCES = path.resolve(__dirname, '../../../resources');

const CHECKS: Record<string, (s: string) => boolean> = {
  'an HTML tag': (s) => /<\/?[a-z][^>]*>/i.test(s),
  'an HTML entity': (s) => /&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i.test(s),
  'a whitespace run, tab, newline or NBSP': (s) => /\s{2}|[\t\n\r\u00A0\u200B]/.test(s),
  'leading or trailing space': (s) => s !== s.trim(),
  'mojibake': (s) => /[ÃÂÐÑâìëíêð][\u0080-\u00BF\u2013-\u2122]/.test(s) || /[\u0080-\u009F]/.test(s),
  'an email address': (s) => /[\w.+-]+@[\w-]+\.[a-z]{2,}/i.test(s),
  'a phone number': (s) => /\d{3}[ .-]\d{4}\b/.test(s),
  'non-NFKC text': (s) => s !== s.normalize('NFKC'),
};

describe('normalize_text on sample collector rows', () => {
  it('leaves none of the mess the sample collector adds', async () => {
    const clean = compileRules((await loadTask(RESOURCES, 'normalize_text')).rules.before);
    const options = sampleCollector.options.parse({
      rows: 4000,
      seed: 7,
      html_ratio: 0.5,
      whitespace_ratio: 0.5,
      unicode_ratio: 0.3,
      mojibake_ratio: 0.3,
      mojibake_charset: 'mixed',
      pii_ratio: 0.5,
    });
    const ctx = { logger: createLogger({ level: 'error' }), env: {}, dataDir: '/nonexistent' };
    const problems: string[] = [];
    let rows = 0;
    for await (const row of sampleCollector.collect(options, ctx)) {
      if (row.raw_text === null) continue;
      rows++;
      const out = clean(row.raw_text);
      for (const [what, found] of Object.entries(CHECKS)) {
        if (found(out)) problems.push(`${what}: ${JSON.stringify(row.raw_text)} -> ${JSON.stringify(out)}`);
      }
    }
    expect(rows).toBeGreaterThan(3500);
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
