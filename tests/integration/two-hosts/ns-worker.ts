/** Start `dataops worker` inside a network namespace, like spawnWorker does on the host. */
import path from 'node:path';
import type { Netns } from '../../support/netns';
import { watchWorker, type WorkerProcess } from '../../support/worker-process';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * `ip netns exec <ns> node --import tsx src/cli/main.ts worker …`. The code comes
 * from the repo (cwd); everything else comes from `env`, on top of a minimal
 * environment (PATH, HOME) so nothing of the host's configuration leaks in.
 */
export function spawnNsWorker(ns: Netns, args: string[], env: NodeJS.ProcessEnv): WorkerProcess {
  const child = ns.spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'worker', ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchWorker(child);
}

/** Resolve when the worker logged its start; reject with its output if it exits first or times out. */
export async function waitReady(w: WorkerProcess, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      w.ready,
      w.exited.then((e) => {
        throw new Error(`worker ${w.pid} exited (${e.code ?? e.signal}) before starting:\n${w.output()}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`worker ${w.pid} did not start in ${timeoutMs} ms:\n${w.output()}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
