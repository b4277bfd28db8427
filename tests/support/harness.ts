/**
 * Test harness: real Redis with a unique queue prefix, a temp data dir, the
 * repo's resources (or a copy), real workers and the real express app.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createApp, type AppOptions } from '../../src/api/app';
import { loadConfig, type Config } from '../../src/config';
import { createResources, type Resources } from '../../src/context';
import { silentLogger } from '../../src/logger';
import type { RunStatus } from '../../src/runs/run-store';
import { startWorkers, type StartWorkersOptions, type WorkerSet } from '../../workers';

/** Tokens every harness config carries. */
export const TOKENS = { admin: 'admin-token-123456', operator: 'operator-token-123456', viewer: 'viewer-token-123456' } as const;
/** Authorization header for a role. */
export const auth = (role: keyof typeof TOKENS) => ({ Authorization: `Bearer ${TOKENS[role]}` });

const REPO = path.resolve(__dirname, '..', '..');

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  env?: NodeJS.ProcessEnv;
  /** Copy resources/ to a temp dir so the test may edit it. */
  copyResources?: boolean;
  /** Extra pipelines.yaml content to append under `pipelines:` (YAML, indented by 2). */
  extraPipelines?: string;
  /** Extra task files: name → YAML text. */
  extraTasks?: Record<string, string>;
}

/** A running test environment. */
export interface Harness {
  config: Readonly<Config>;
  res: Resources;
  app: ReturnType<typeof createApp>;
  dataDir: string;
  resourcesDir: string;
  prefix: string;
  startWorkers(opts?: StartWorkersOptions): WorkerSet;
  waitForRun(runId: string, timeoutMs?: number): Promise<RunStatus>;
  close(): Promise<void>;
}

/** Create a harness. Call `close()` in afterAll. */
export async function createHarness(opts: HarnessOptions = {}, appOpts: AppOptions = {}): Promise<Harness> {
  const prefix = `t${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-test-'));
  const dataDir = path.join(tmp, 'data');
  await fs.mkdir(path.join(dataDir, 'inbox'), { recursive: true });
  await fs.cp(path.join(REPO, 'data', 'inbox'), path.join(dataDir, 'inbox'), { recursive: true });
  let resourcesDir = path.join(REPO, 'resources');
  if (opts.copyResources || opts.extraPipelines || opts.extraTasks) {
    resourcesDir = path.join(tmp, 'resources');
    await fs.cp(path.join(REPO, 'resources'), resourcesDir, { recursive: true });
    if (opts.extraPipelines) await fs.appendFile(path.join(resourcesDir, 'pipelines.yaml'), `\n${opts.extraPipelines}\n`);
    for (const [name, text] of Object.entries(opts.extraTasks ?? {})) await fs.writeFile(path.join(resourcesDir, 'tasks', `${name}.yaml`), text);
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    RESOURCES_DIR: resourcesDir,
    API_TOKENS: `admin:${TOKENS.admin},operator:${TOKENS.operator},viewer:${TOKENS.viewer}`,
    LOG_LEVEL: 'error',
    ...opts.env,
  });
  const res = createResources(config, { logger: silentLogger() });
  const app = createApp(res, appOpts);
  const workerSets: WorkerSet[] = [];
  return {
    config,
    res,
    app,
    dataDir,
    resourcesDir,
    prefix,
    startWorkers(wopts = {}) {
      const w = startWorkers(res, { lockDuration: 5000, stalledInterval: 1000, concurrency: 4, ...wopts });
      workerSets.push(w);
      return w;
    },
    async waitForRun(runId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      // Poll the run store with a deadline: the run's final state is set by our own handlers
      // (including failures that happen outside the job), which no BullMQ event reports.
      for (;;) {
        const s = await res.runs.get(runId);
        if (s && (s.state === 'completed' || s.state === 'failed')) return s;
        if (Date.now() > deadline) throw new Error(`run ${runId} did not finish in ${timeoutMs} ms (state ${s?.state})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await Promise.allSettled(workerSets.map((w) => w.close()));
      await res.close();
      await deletePrefix(prefix);
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Delete every Redis key under a prefix (on the default test Redis unless `url` is given). */
export async function deletePrefix(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
