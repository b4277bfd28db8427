/** The collector registry: lookups, option errors that name the field, and source descriptions. */
import { collectors, describeSources, getCollector, parseCollectorOptions } from '../../../src/collectors/registry';
import { ValidationError } from '../../../src/errors';

const thrown = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
};

it('finds each registered collector by name', () => {
  for (const c of collectors) expect(getCollector(c.name)).toBe(c);
});

it('refuses an unknown source, naming it and the known ones', () => {
  const err = thrown(() => getCollector('ftp'));
  expect(err.field).toBe('source');
  expect(err.message).toBe('source: unknown source "ftp"; known sources: sample, file, http, tmdb');
  expect(thrown(() => parseCollectorOptions('ftp', {})).message).toContain('unknown source "ftp"');
});

it('names the bad field, prefixed with the caller’s file and field', () => {
  expect(thrown(() => parseCollectorOptions('sample', { rows: -5 })).message).toBe('options.rows: expected a positive integer');
  const err = thrown(() => parseCollectorOptions('sample', { rows: 'many' }, { file: 'resources/pipelines.yaml', field: 'pipelines.daily.options' }));
  expect(err.file).toBe('resources/pipelines.yaml');
  expect(err.field).toBe('pipelines.daily.options.rows');
  expect(err.message).toBe('resources/pipelines.yaml: pipelines.daily.options.rows: expected a positive integer');
});

it('says which option is missing, which is unknown, and how many more problems there are', () => {
  expect(thrown(() => parseCollectorOptions('http', {})).message).toBe('options.url: is required');
  expect(thrown(() => parseCollectorOptions('sample', { row: 10 })).message).toBe('options.row: unknown option');
  const many = thrown(() => parseCollectorOptions('sample', { rows: 0, seed: 'x', html_ratio: 3 }));
  expect(many.field).toBe('options.rows');
  expect(many.message).toMatch(/^options\.rows: expected a positive integer \(and 2 more: options\.seed: .+; options\.html_ratio: expected a number between 0 and 1\)$/);
  expect(thrown(() => parseCollectorOptions('http', { url: 'http://x', pagination: { style: 'pages' } })).field).toBe('options.pagination.style');
});

it('applies defaults, and treats missing options as {}', () => {
  expect(parseCollectorOptions('sample', undefined)).toMatchObject({ rows: 1000, seed: 42, html_ratio: 0.1 });
  expect(parseCollectorOptions('tmdb', {})).toMatchObject({ list: 'popular', pages: 1, base_url: 'https://api.themoviedb.org/3' });
});

it('describes every source with a JSON schema of its options, including defaults', () => {
  const sources = describeSources();
  expect(sources.map((s) => s.name)).toEqual(['sample', 'file', 'http', 'tmdb']);
  const sample = sources[0]!.options as { properties: Record<string, { default?: unknown; type?: string }> };
  expect(sample.properties.rows).toMatchObject({ type: 'integer', default: 1000 });
  const file = sources[1]!.options as { required?: string[] };
  expect(file.required).toEqual(['path']);
  expect(JSON.parse(JSON.stringify(sources))).toEqual(sources);
});
