import { validateSidecar } from '../../../src/catalog';
import { CatalogKeys } from '../../../src/catalog/keys';

const good = {
  key: 'output/final_data_20261122_020000.csv',
  uri: '/data/output/final_data_20261122_020000.csv',
  kind: 'output',
  format: 'csv',
  rows: 3,
  bytes: 42,
  sha256: 'a'.repeat(64),
  schemaVersion: 1,
  createdAt: '2026-11-22T02:00:00.000Z',
  runId: 'run-1',
  inputs: ['processed/p.parquet'],
};

describe('validateSidecar', () => {
  it('accepts a complete sidecar and keeps extra fields', () => {
    expect(validateSidecar({ ...good, extra: 1 }, 'f')).toEqual({ ...good, extra: 1 });
  });
  it.each([
    ['rows', { rows: -1 }],
    ['createdAt', { createdAt: 'yesterday' }],
    ['inputs', { inputs: undefined }],
    ['schemaVersion', { schemaVersion: 0 }],
  ])('names the file and the bad field %s', (field, patch) => {
    expect(() => validateSidecar({ ...good, ...patch }, 'output/x.csv.meta.json')).toThrow(`output/x.csv.meta.json: ${field}:`);
  });
});

describe('CatalogKeys', () => {
  it('escapes glob characters in SCAN patterns', () => {
    expect(new CatalogKeys('app[1]*').patterns()).toEqual(['app\\[1\\]\\*:entry:*', 'app\\[1\\]\\*:z:*', 'app\\[1\\]\\*:sha:*', 'app\\[1\\]\\*:uri']);
  });
});
