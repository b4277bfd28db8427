/** AuditLog: one file per UTC day, only the newest N kept, entries in order. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../../src/audit/audit-log';
import { silentLogger } from '../../../src/logger';

const entry = (time: string, n: number): AuditEntry => ({
  time,
  role: 'admin',
  tokenId: 'tok_00000000',
  method: 'PUT',
  route: '/api/schedules/:pipeline',
  path: `/api/schedules/p${n}`,
  target: { pipeline: `p${n}` },
  status: 200,
  result: 'ok',
  ip: '127.0.0.1',
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-unit-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('writes entries in order into the file of their UTC day', async () => {
  const log = new AuditLog({ dir, logger: silentLogger() });
  for (let i = 0; i < 50; i++) log.record(entry('2024-03-01T23:59:59.000Z', i));
  log.record(entry('2024-03-02T00:00:00.000Z', 50));
  await log.flush();
  expect(await log.files()).toEqual(['audit-2024-03-01.jsonl', 'audit-2024-03-02.jsonl']);
  const day1 = (await fs.readFile(path.join(dir, 'audit-2024-03-01.jsonl'), 'utf8')).trim().split('\n');
  expect(day1.map((l) => (JSON.parse(l) as AuditEntry).target.pipeline)).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`));
});

it('keeps only the newest keepFiles days', async () => {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'unrelated.txt'), 'keep me');
  const log = new AuditLog({ dir, logger: silentLogger(), keepFiles: 3 });
  for (const day of ['01', '02', '03', '04', '05']) log.record(entry(`2024-05-${day}T12:00:00.000Z`, Number(day)));
  await log.flush();
  expect(await log.files()).toEqual(['audit-2024-05-03.jsonl', 'audit-2024-05-04.jsonl', 'audit-2024-05-05.jsonl']);
  expect(await fs.readFile(path.join(dir, 'unrelated.txt'), 'utf8')).toBe('keep me');
});

it('survives an unwritable folder without throwing into the caller', async () => {
  const file = path.join(dir, 'not-a-dir');
  await fs.writeFile(file, '');
  const log = new AuditLog({ dir: file, logger: silentLogger() });
  expect(() => log.record(entry('2024-01-01T00:00:00.000Z', 1))).not.toThrow();
  await expect(log.flush()).resolves.toBeUndefined();
});
