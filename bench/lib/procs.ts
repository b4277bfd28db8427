/**
 * Worker processes for benchmarks: `dataops worker` started as separate OS
 * processes, with their peak RSS read from /proc (VmHWM) before they end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** Environment every worker process of one bench gets. */
export interface WorkerEnv {
  QUEUE_PREFIX: string;
  DATA_DIR: string;
  RESOURCES_DIR: string;
  REDIS_URL: string;
  [k: string]: string;
}

/** A worker process. */
export interface BenchWorker {
  kind: string;
  child: ChildProcess;
  pid: number;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Peak resident set (VmHWM) in bytes, or null once the process is gone. */
  peakRss(): number | null;
  alive(): boolean;
}

/** Peak RSS (VmHWM) of a live process in bytes, from /proc. */
export function vmHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Start `node --import tsx src/cli/main.ts worker <args>`. */
export function spawnBenchWorker(kind: string, args: string[], env: WorkerEnv): BenchWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'worker', ...args], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const onData = (b: Buffer) => {
    // Keep only the tail: a long run logs a line per job.
    out = (out + b.toString()).slice(-20_000);
    if (out.includes('worker started')) markReady();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return { kind, child, pid: child.pid!, ready, exited, output: () => out, peakRss: () => (alive() ? vmHwm(child.pid!) : null), alive };
}

/** SIGKILL a worker and wait for it to be gone. */
export async function killWorker(w: BenchWorker, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (w.alive()) w.child.kill(signal);
  await w.exited;
}
