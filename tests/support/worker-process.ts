/** Start `dataops worker` as a separate OS process against a harness's Redis prefix and data dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Harness } from './harness';

const REPO = path.resolve(__dirname, '..', '..');

/** A worker process started for a test. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has logged that its workers started. */
  ready: Promise<void>;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Spawn `node --import tsx src/cli/main.ts worker …` with the harness's environment. */
export function spawnWorker(h: Harness, args: string[] = [], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'worker', ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      QUEUE_PREFIX: h.prefix,
      DATA_DIR: h.dataDir,
      RESOURCES_DIR: h.resourcesDir,
      REDIS_URL: h.config.redisUrl,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchWorker(child);
}

/** Track a spawned `dataops worker`: its output, when it logged that it started, and its exit. */
export function watchWorker(child: ChildProcess): WorkerProcess {
  let out = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const onData = (b: Buffer) => {
    out += b.toString();
    if (out.includes('worker started')) markReady();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid!, ready, exited, output: () => out };
}
