/**
 * The `dataops` command line. Commands talk to Redis directly through the same
 * resources the workers use, so they work wherever REDIS_URL reaches.
 */
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config';
import { createResources, type Resources } from '../context';
import { ALL_QUEUES, type QueueName } from '../../queues/names';
import { startWorkers } from '../../workers';
import { syncHousekeeping } from '../../workers/housekeeping';
import { onShutdown, startApi, startStandalone } from '../server';
import { syncSchedules, listSchedules } from '../schedules';
import { EXTRA_COMMANDS } from './commands';
import { ensureRedis } from './redis-bootstrap';
import { runCommand } from './run-command';
import { startRun } from '../runs/start-run';

function config(extra: NodeJS.ProcessEnv = {}): Readonly<Config> {
  try {
    return loadConfig({ ...process.env, ...extra });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Without API_TOKENS: generate an admin token (printed once) and stay on loopback. */
function tokensOrGenerate(): { extra: NodeJS.ProcessEnv; generated?: string } {
  const base = config();
  if (base.apiTokens.length) return { extra: {} };
  if (!LOOPBACK.has(base.http.host)) {
    console.error(`HOST=${base.http.host} is not a loopback address and API_TOKENS is empty: refusing to start an open server. Set API_TOKENS=admin:<token>,viewer:<token>.`);
    process.exit(2);
  }
  const token = randomBytes(24).toString('base64url');
  return { extra: { API_TOKENS: `admin:${token}` }, generated: token };
}

function parseInteger(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function parseQueues(v: string): QueueName[] {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(ALL_QUEUES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown queue "${n}"; queues: ${ALL_QUEUES.join(', ')}`);
  return names as QueueName[];
}

async function withResources<T>(fn: (res: Resources) => Promise<T>): Promise<T> {
  const res = createResources(config());
  try {
    return await fn(res);
  } finally {
    await res.close();
  }
}

const program = new Command();
program.name('dataops').description('DataOps pipeline cluster on BullMQ and Redis');

program
  .command('start')
  .description('run everything in one process: API, Bull Board, dashboard, schedules and all workers')
  .option('--concurrency <n>', 'clean worker concurrency', parseInteger)
  .option('--run <pipeline>', 'start one run of this pipeline once everything is up', 'sample_daily')
  .option('--no-run', 'do not start a run at start-up')
  .action(async (opts: { concurrency?: number; run?: string | false }) => {
    const { extra, generated } = tokensOrGenerate();
    const cfg = config(extra);
    const redisChild = await ensureRedis(cfg.redisUrl, cfg.dataDir, (l) => console.log(l)).catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
    const res = createResources(cfg);
    const handle = await startStandalone(res, { concurrency: opts.concurrency });
    const base = handle.api.url;
    console.log(`\nDataOps is running (standalone: API, Bull Board, schedules and all workers in this process).`);
    console.log(`  API         ${base}/api/pipelines`);
    console.log(`  Bull Board  ${base}/admin/queues`);
    console.log(`  Dashboard   ${base}/dashboard`);
    console.log(`  Health      ${base}/healthz  ${base}/readyz  ${base}/metrics`);
    if (generated) {
      console.log(`\nNo API_TOKENS set: generated an admin token for this process (shown once):\n  ${generated}`);
      console.log(`  curl -H "Authorization: Bearer ${generated}" -H 'Content-Type: application/json' -d '{"pipeline":"sample_daily"}' ${base}/api/runs`);
      console.log(`  Bull Board: user any, password = the token.`);
    }
    if (opts.run) {
      const { runId } = await startRun(res, { pipeline: opts.run, trigger: 'cli' }).catch((err: Error) => {
        console.error(`could not start ${opts.run}: ${err.message}`);
        return { runId: undefined };
      });
      if (runId) console.log(`\nStarted a first run of ${opts.run} (no API key needed): ${base}/api/runs/${runId}`);
    }
    onShutdown(async () => {
      await handle.close();
      await res.close();
      redisChild?.kill('SIGTERM');
    }, (m) => console.log(m));
  });

program
  .command('api')
  .description('run the HTTP API, Bull Board and schedules (no workers)')
  .action(async () => {
    const { extra, generated } = tokensOrGenerate();
    const res = createResources(config(extra));
    await syncSchedules(res);
    await syncHousekeeping(res);
    const api = await startApi(res);
    console.log(`API listening on ${api.url}`);
    if (generated) console.log(`No API_TOKENS set: generated admin token (shown once): ${generated}`);
    onShutdown(async () => {
      await api.close();
      await res.close();
    }, (m) => console.log(m));
  });

program
  .command('worker')
  .description('run workers (scale by starting more of these, on any host that reaches Redis)')
  .option('--queues <names>', `comma-separated queues (default pipeline,clean,maintenance; all: ${ALL_QUEUES.join(',')})`, parseQueues)
  .option('--concurrency <n>', 'clean worker concurrency', parseInteger)
  .action((opts: { queues?: QueueName[]; concurrency?: number }) => {
    const res = createResources(config());
    const workers = startWorkers(res, { queues: opts.queues, concurrency: opts.concurrency });
    onShutdown(async () => {
      await workers.close();
      await res.close();
    }, (m) => res.logger.info(m));
  });

program
  .command('run <pipeline>')
  .description('start a run; with --wait, show progress and exit 0 only if it completed')
  .option('--wait', 'wait for the run to finish, with a progress bar')
  .option('--json', 'print the final status as JSON')
  .option('--chunk-size <n>', 'override chunk_size', parseInteger)
  .option('--task <name>', 'override the task')
  .option('--option <key=value...>', 'override a collector option (JSON values allowed)')
  .action(async (pipeline: string, opts: { wait?: boolean; json?: boolean; chunkSize?: number; task?: string; option?: string[] }) => {
    const code = await withResources((res) => runCommand(res, pipeline, opts));
    process.exit(code);
  });

program
  .command('runs')
  .description('list recent runs')
  .option('--limit <n>', 'how many', parseInteger, 20)
  .option('--json', 'print JSON')
  .action(async (opts: { limit: number; json?: boolean }) => {
    await withResources(async (res) => {
      const runs = await res.runs.list(opts.limit);
      if (opts.json) console.log(JSON.stringify(runs, null, 2));
      else console.table(runs.map((r) => ({ runId: r.runId, pipeline: r.pipeline, state: r.state, progress: r.progress, rows: r.counts.rowsCollected, failed: r.counts.rowsFailed, created: r.timings.createdAt })));
    });
  });

program
  .command('schedules')
  .description('list pipeline schedules (add --sync to apply pipelines.yaml now)')
  .option('--sync', 'sync schedulers with pipelines.yaml first')
  .option('--json', 'print JSON')
  .action(async (opts: { sync?: boolean; json?: boolean }) => {
    await withResources(async (res) => {
      const list = opts.sync ? await syncSchedules(res) : await listSchedules(res);
      if (opts.json) console.log(JSON.stringify(list, null, 2));
      else console.table(list);
    });
  });

for (const register of EXTRA_COMMANDS) register(program);

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
