/**
 * A throwaway environment for one benchmark: a private Redis, a temp data dir,
 * a copy of resources/ with extra pipelines, a unique queue prefix, and the
 * in-process resources used to start and watch runs.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createResources, type Resources } from '../../src/context';
import { silentLogger } from '../../src/logger';
import type { RunStatus } from '../../src/runs/run-store';
import { startPrivateRedis, type PrivateRedis } from './redis-server';
import type { WorkerEnv } from './procs';

const REPO = path.resolve(__dirname, '..', '..');

/** A benchmark environment. */
export interface BenchEnv {
  redis: PrivateRedis;
  res: Resources;
  env: WorkerEnv;
  tmp: string;
  dataDir: string;
  /** Watch a run until it completes or fails, recording when each state was first seen. */
  waitForRun(runId: string, timeoutMs: number, onTick?: (s: RunStatus | null) => void | Promise<void>): Promise<{ status: RunStatus; seen: Record<string, number> }>;
  close(): Promise<void>;
}

/** Create the environment; `pipelinesYaml` is appended under `pipelines:` (indented by 2). */
export async function createBenchEnv(opts: { pipelinesYaml: string; extraEnv?: Record<string, string> }): Promise<BenchEnv> {
  const redis = await startPrivateRedis();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-bench-'));
  const dataDir = path.join(tmp, 'data');
  const resourcesDir = path.join(tmp, 'resources');
  await fs.mkdir(dataDir, { recursive: true });
  await fs.cp(path.join(REPO, 'resources'), resourcesDir, { recursive: true });
  await fs.appendFile(path.join(resourcesDir, 'pipelines.yaml'), `\n${opts.pipelinesYaml}\n`);
  const env: WorkerEnv = {
    QUEUE_PREFIX: `bench${process.pid}x${Math.random().toString(36).slice(2, 7)}`,
    DATA_DIR: dataDir,
    RESOURCES_DIR: resourcesDir,
    REDIS_URL: redis.url,
    ...opts.extraEnv,
  };
  const config = loadConfig({ ...env, NODE_ENV: 'production', LOG_LEVEL: 'error' });
  const res = createResources(config, { logger: silentLogger() });
  return {
    redis,
    res,
    env,
    tmp,
    dataDir,
    async waitForRun(runId, timeoutMs, onTick) {
      const deadline = Date.now() + timeoutMs;
      const seen: Record<string, number> = {};
      for (;;) {
        let s: RunStatus | null = null;
        try {
          s = await res.runs.get(runId);
        } catch {
          // Redis may be restarting (chaos); keep polling until the deadline.
        }
        if (s && seen[s.state] === undefined) seen[s.state] = Date.now();
        if (onTick) await onTick(s);
        if (s && (s.state === 'completed' || s.state === 'failed')) return { status: s, seen };
        if (Date.now() > deadline) throw new Error(`run ${runId} did not finish in ${timeoutMs} ms (state ${s?.state})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await res.close().catch(() => undefined);
      await redis.destroy();
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Format a table of rows (first row is the header) with aligned columns. */
export function table(rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Bytes as MB with one decimal. */
export const mb = (b: number | null | undefined): string => (b == null ? 'n/a' : `${(b / 1048576).toFixed(1)} MB`);
