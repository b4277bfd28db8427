import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationError } from '../../../src/errors';
import { parseYaml, readYamlFile } from '../../../src/resources/yaml';

function parseError(text: string): Error {
  try {
    parseYaml(text, 'f.yaml');
  } catch (err) {
    return err as Error;
  }
  throw new Error('parse did not fail');
}

describe('parseYaml', () => {
  it('parses plain YAML with the core schema (no YAML 1.1 surprises)', () => {
    expect(parseYaml('a: 1\nb: [x, "y"]\nc: { d: true }\nwhen: 2024-01-01\nanswer: yes\nnone: ~\n', 'f.yaml')).toEqual({
      a: 1,
      b: ['x', 'y'],
      c: { d: true },
      when: '2024-01-01',
      answer: 'yes',
      none: null,
    });
    expect(parseYaml('', 'f.yaml')).toBeNull();
  });

  it('allows a few aliases but refuses alias bombs quickly', () => {
    expect(parseYaml('base: &b { x: 1 }\ncopy: *b\n', 'f.yaml')).toEqual({ base: { x: 1 }, copy: { x: 1 } });
    const levels = ['a: &a [' + Array(9).fill('"lol"').join(',') + ']'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [` + Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',') + ']');
    const started = Date.now();
    const err = parseError(levels.join('\n'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^f\.yaml: refused YAML: .*alias/i);
  });

  it.each([
    ['a: !!js/function "function(){}"', /line 1, column 4: invalid YAML: Unresolved tag: .*js\/function \(tags are not allowed/],
    ['a: !!binary aGVsbG8=', /Unresolved tag: .*binary/],
    ['a: !!set { x }', /Unresolved tag: .*set/],
    ['a: !custom thing', /Unresolved tag: !custom/],
    ['a: 1\na: 2', /line 2, column 1: invalid YAML: Map keys must be unique/],
    ['a: 1\n---\nb: 2', /invalid YAML: Source contains multiple documents/],
    ['a:\n\tb: 1', /line 2, column 1: invalid YAML: Tabs are not allowed/],
    ['x: &x { a: 1 }\ny: { <<: *x, b: 2 }', null],
  ])('handles %j', (text, message) => {
    if (message === null) {
      // No merge keys: "<<" is an ordinary key in YAML 1.2.
      expect(parseYaml(text, 'f.yaml')).toEqual({ x: { a: 1 }, y: { '<<': { a: 1 }, b: 2 } });
      return;
    }
    const err = parseError(text);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^f\.yaml: /);
    expect(err.message).toMatch(message);
  });
});

describe('readYamlFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'test-yaml-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses files that are too large, not UTF-8, or not files', async () => {
    const big = path.join(dir, 'big.yaml');
    await fs.writeFile(big, `a: "${'x'.repeat(2000)}"\n`);
    await expect(readYamlFile(big, { maxBytes: 1000 })).rejects.toThrow(/big\.yaml: file is \d+ bytes; the limit is 1000/);
    await expect(readYamlFile(big)).resolves.toEqual({ a: 'x'.repeat(2000) });

    const latin = path.join(dir, 'latin.yaml');
    await fs.writeFile(latin, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    await expect(readYamlFile(latin)).rejects.toThrow(/latin\.yaml: file is not valid UTF-8/);

    await expect(readYamlFile(dir)).rejects.toThrow(/not a regular file|EISDIR/);
  });

  it('passes through a missing file as ENOENT for the caller to name', async () => {
    await expect(readYamlFile(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('uses the display name in messages', async () => {
    const f = path.join(dir, 'shown.yaml');
    await fs.writeFile(f, 'a: [1\n');
    await expect(readYamlFile(f, { displayName: 'resources/tasks/x.yaml' })).rejects.toThrow(/^resources\/tasks\/x\.yaml: line/);
  });
});
