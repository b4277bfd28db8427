/**
 * Checks of a finished run with DuckDB as an independent reader: processed
 * rows equal collected rows, no duplicate ids, every row cleaned or failed
 * with a reason, the CSV equals the processed file, every sidecar's sha256
 * matches its file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RunStatus } from '../../src/runs/run-store';

/** One check and whether it passed. */
export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

async function query(sql: string): Promise<Array<Record<string, unknown>>> {
  const inst = await DuckDBInstance.create(':memory:');
  try {
    const conn = await inst.connect();
    try {
      return (await (await conn.run(sql)).getRowObjectsJS()) as Array<Record<string, unknown>>;
    } finally {
      conn.closeSync();
    }
  } finally {
    inst.closeSync();
  }
}

const n = (v: unknown): number => Number(v);
const lit = (p: string): string => `'${p.replace(/'/g, "''")}'`;

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const b of createReadStream(file)) h.update(b as Buffer);
  return h.digest('hex');
}

/** Sidecars (`<file>.meta.json`) under a directory, recursively. */
async function sidecars(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.meta.json')) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

/** Verify a completed run whose pipeline has no dedupe (so the CSV must equal the processed file). */
export async function verifyRun(status: RunStatus, dataDir: string): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, passed: boolean, detail: string) => checks.push({ name, passed, detail });
  add('run completed', status.state === 'completed', `state ${status.state}${status.error ? `: ${status.error.message}` : ''}`);
  const { raw, processed, csv } = status.outputs;
  if (!raw || !processed || !csv) {
    add('outputs present', false, JSON.stringify(status.outputs));
    return checks;
  }
  const [r] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(raw)})`);
  const [p] = await query(
    `SELECT count(*) AS n, count(DISTINCT id) AS ids,
            count(*) FILTER (WHERE status = 'cleaned') AS cleaned,
            count(*) FILTER (WHERE status = 'failed' AND error IS NOT NULL AND length(error) > 0) AS failed_with_reason
     FROM read_parquet(${lit(processed)})`,
  );
  const [c] = await query(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_csv(${lit(csv)}, header = true, all_varchar = true, max_line_size = 10000000)`);
  const [diff] = await query(
    `SELECT count(*) AS n FROM (
       SELECT CAST(id AS VARCHAR) AS id, status, coalesce(cleaned_text, '') AS t FROM read_parquet(${lit(processed)})
       EXCEPT
       SELECT id, status, coalesce(cleaned_text, '') FROM read_csv(${lit(csv)}, header = true, all_varchar = true, max_line_size = 10000000))`,
  );
  add('processed rows == collected rows', n(p!.n) === n(r!.n) && n(r!.n) === status.counts.rowsCollected, `processed ${n(p!.n)}, raw file ${n(r!.n)}, collected ${status.counts.rowsCollected}`);
  add('no duplicate ids', n(p!.ids) === n(p!.n), `${n(p!.ids)} distinct of ${n(p!.n)}`);
  add('every row cleaned or failed with a reason', n(p!.cleaned) + n(p!.failed_with_reason) === n(p!.n), `${n(p!.cleaned)} cleaned + ${n(p!.failed_with_reason)} failed with reason of ${n(p!.n)}`);
  add('CSV equals processed', n(c!.n) === n(p!.n) && n(c!.ids) === n(p!.ids) && n(diff!.n) === 0, `CSV ${n(c!.n)} rows, ${n(diff!.n)} (id, status, cleaned_text) rows differ`);
  const metas = await sidecars(dataDir);
  let bad: string[] = [];
  for (const m of metas) {
    const meta = JSON.parse(await fs.readFile(m, 'utf8')) as { sha256?: string };
    const file = m.slice(0, -'.meta.json'.length);
    const exists = await fs.stat(file).then(() => true, () => false);
    // A sidecar without its file is a leftover of a replaced part; only existing files must match.
    if (exists && meta.sha256 !== (await sha256(file))) bad.push(path.relative(dataDir, file));
  }
  bad = bad.slice(0, 5);
  add('every sidecar sha256 matches', bad.length === 0 && metas.length >= 3, `${metas.length} sidecars${bad.length ? `; mismatched: ${bad.join(', ')}` : ''}`);
  return checks;
}
