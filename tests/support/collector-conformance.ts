/**
 * The one conformance suite every collector must pass (like BullMQ's
 * adapter-conformance tests): options validation naming the field, defaults,
 * row shape, lazy streaming with early stop and cleanup, abort, and clear errors.
 *
 * Usage: `describeCollectorConformance('sample', async () => ({ ctx, valid, invalid, large }))`.
 */
import { promises as fs } from 'node:fs';
import { getCollector, describeSources, parseCollectorOptions } from '../../src/collectors/registry';
import type { CollectContext } from '../../src/collectors/types';
import { ValidationError } from '../../src/errors';
import type { CollectedRow } from '../../src/types';

/** What a collector's test setup provides. */
export interface ConformanceFixture {
  ctx: CollectContext;
  /** Options that yield a small, known set of rows. */
  valid: Record<string, unknown>;
  /** How many rows `valid` yields, when known. */
  expectedRows?: number;
  /** Bad options and the option path the error must name (without the `options.` prefix). */
  invalid: Array<{ options: unknown; field: string }>;
  /** Options for far more rows than the suite reads; used to check early stop. */
  large: Record<string, unknown>;
  /** After reading a few rows of `large` and breaking: assert the source was not read to the end and was released. */
  afterEarlyStop?: () => Promise<void> | void;
  /** Runtime failures and the message each must match. */
  failing?: Array<{ options: Record<string, unknown>; ctx?: Partial<CollectContext>; message: RegExp }>;
  teardown?: () => Promise<void>;
}

/** Collect every row (parsing options first). */
export async function collectAll(name: string, options: unknown, ctx: CollectContext): Promise<CollectedRow[]> {
  const c = getCollector(name);
  const rows: CollectedRow[] = [];
  for await (const row of c.collect(parseCollectorOptions(name, options), ctx)) rows.push(row);
  return rows;
}

/** Problems with one row's shape, or [] if it is fine. */
export function rowShapeProblems(row: CollectedRow): string[] {
  const out: string[] = [];
  const allowed = new Set(['id', 'raw_text', 'created_at', 'metadata']);
  for (const k of Object.keys(row)) if (!allowed.has(k)) out.push(`unexpected key ${k}`);
  if ('id' in row && !Number.isSafeInteger(row.id)) out.push(`id ${String(row.id)} is not a safe integer`);
  if (!(typeof row.raw_text === 'string' || row.raw_text === null)) out.push(`raw_text is ${typeof row.raw_text}`);
  if ('created_at' in row && !(row.created_at instanceof Date && !Number.isNaN(row.created_at.getTime()))) out.push('created_at is not a valid Date');
  const m = row.metadata;
  if (m !== undefined && m !== null) {
    if (typeof m !== 'object' || Array.isArray(m) || Object.getPrototypeOf(m) !== Object.prototype) out.push('metadata is not a plain object');
    else if (JSON.stringify(JSON.parse(JSON.stringify(m))) !== JSON.stringify(m)) out.push('metadata does not survive JSON');
  }
  return out;
}

/** Register the conformance tests for collector `name`. */
export function describeCollectorConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`collector conformance: ${name}`, () => {
    let fx: ConformanceFixture;
    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.teardown?.();
    });

    it('is registered with a description and a JSON schema of its options', () => {
      const c = getCollector(name);
      expect(c.name).toBe(name);
      expect(c.description.length).toBeGreaterThan(10);
      const described = describeSources().find((s) => s.name === name);
      expect(described?.options).toMatchObject({ type: 'object' });
    });

    it('accepts valid options, applies defaults, and re-parses its own output unchanged', () => {
      const parsed = parseCollectorOptions(name, fx.valid) as Record<string, unknown>;
      expect(Object.keys(parsed).length).toBeGreaterThanOrEqual(Object.keys(fx.valid).length);
      expect(parseCollectorOptions(name, parsed)).toEqual(parsed);
    });

    it('rejects each bad option with a ValidationError naming the field', () => {
      expect(fx.invalid.length).toBeGreaterThan(0);
      for (const { options, field } of fx.invalid) {
        const err = catchSync(() => parseCollectorOptions(name, options));
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).field).toBe(`options.${field}`);
        expect((err as Error).message).toContain(`options.${field}`);
      }
    });

    it('rejects an unknown option by name', () => {
      const err = catchSync(() => parseCollectorOptions(name, { ...fx.valid, no_such_option: 1 }));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain('options.no_such_option');
    });

    it('yields rows of the right shape', async () => {
      const rows = await collectAll(name, fx.valid, fx.ctx);
      if (fx.expectedRows !== undefined) expect(rows).toHaveLength(fx.expectedRows);
      expect(rows.length).toBeGreaterThan(0);
      const problems = rows.flatMap((r, i) => rowShapeProblems(r).map((p) => `row ${i}: ${p}`));
      expect(problems).toEqual([]);
      const ids = rows.map((r) => r.id).filter((x) => x !== undefined);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('streams lazily: breaking after a few rows stops reading and releases resources', async () => {
      const c = getCollector(name);
      const started = Date.now();
      let n = 0;
      for await (const row of c.collect(parseCollectorOptions(name, fx.large), fx.ctx)) {
        expect(rowShapeProblems(row)).toEqual([]);
        if (++n === 5) break;
      }
      expect(n).toBe(5);
      expect(Date.now() - started).toBeLessThan(5000);
      await fx.afterEarlyStop?.();
    });

    it('stops with the abort reason when the signal is aborted', async () => {
      const ac = new AbortController();
      ac.abort(new Error('run cancelled'));
      const c = getCollector(name);
      const run = async () => {
        for await (const _row of c.collect(parseCollectorOptions(name, fx.large), { ...fx.ctx, signal: ac.signal })) {
          // nothing: the first step must already fail
        }
      };
      await expect(run()).rejects.toThrow('run cancelled');
    });

    it('fails with clear errors', async () => {
      for (const f of fx.failing ?? []) {
        await expect(collectAll(name, f.options, { ...fx.ctx, ...f.ctx })).rejects.toThrow(f.message);
      }
    });
  });
}

function catchSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** Resolve once this process holds no descriptor on `file` (Linux /proc; a no-op elsewhere), or reject after `timeoutMs`. */
export async function waitUntilClosed(file: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const real = await fs.realpath(file).catch(() => file);
  for (;;) {
    const fds = await fs.readdir('/proc/self/fd').catch(() => [] as string[]);
    const links = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    if (!links.includes(real)) return;
    if (Date.now() > deadline) throw new Error(`${file} is still open`);
    await new Promise((r) => setImmediate(r));
  }
}
