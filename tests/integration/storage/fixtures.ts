/**
 * Shared fixtures for the storage tests: temp directories and deterministic rows
 * that exercise UTF-8 (Korean, emoji), quoting and nulls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProcessedRow, RawRow } from '../../../src/types';

/** A fresh temp directory and a function that removes it. */
export async function tempDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `test-storage-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const BASE_MS = Date.UTC(2026, 10, 22, 2, 0, 0, 0);
const TEXTS = ['plain text', '한국어 텍스트 😀🎉', 'comma, "quote" and\nnewline', '  padded  ', 'ünïcödé – dash', ''];

/** Row i (0-based) of a deterministic raw dataset. Row 1 carries the largest safe id. */
export function rawRow(i: number): RawRow {
  return {
    id: i === 1 ? Number.MAX_SAFE_INTEGER : i + 1,
    source: 'sample',
    raw_text: i % 11 === 10 ? null : `${TEXTS[i % TEXTS.length]} #${i}`,
    created_at: new Date(BASE_MS + i * 1237 + (i % 997)),
    metadata: i % 7 === 6 ? null : JSON.stringify({ n: i, tag: '태그' }),
  };
}

/** Row i of a deterministic processed dataset. */
export function processedRow(i: number): ProcessedRow {
  const failed = i % 13 === 12;
  return {
    ...rawRow(i),
    cleaned_text: failed ? null : `clean ${i} 😀`,
    llm_model: i % 2 === 0 ? null : 'gpt-test',
    cleaning_task: 'normalize_text',
    processed_at: new Date(BASE_MS + 86_400_000 + i),
    status: failed ? 'failed' : 'cleaned',
    error: failed ? `boom, "row" ${i}` : null,
  };
}

/** Lazily yield n rows. */
export function* rows<T>(n: number, make: (i: number) => T): Iterable<T> {
  for (let i = 0; i < n; i++) yield make(i);
}
