/**
 * A network namespace joined to this host by a veth pair, for tests that need
 * a "second host": the namespace has its own loopback and sees only the
 * host-side veth address (a private /30 of the test's own under 10.213.0.0/16).
 *
 * Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN) and iproute2's `ip`;
 * {@link probeNetns} says whether that works here, and why not.
 */
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Every namespace these helpers create starts with this, followed by the creating pid. */
const NS_PREFIX = 'dataops-2h-';

/** Whether network namespaces and veth pairs can be created here. */
export type NetnsSupport = { ok: true } | { ok: false; reason: string };

function ipSync(args: string[]): { ok: boolean; missing?: boolean; message: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { ok: false, missing: true, message: '`ip` (iproute2) is not on PATH; .ci/run installs it' };
  if (r.error) return { ok: false, message: r.error.message };
  return { ok: r.status === 0, message: (r.stderr || r.stdout || `exit ${r.status}`).trim() };
}

/**
 * Try, synchronously (usable while jest collects tests), to create and delete a
 * namespace and a veth pair. Synchronous on purpose: describe() must know before any hook runs.
 */
export function probeNetns(): NetnsSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  const tag = randomBytes(3).toString('hex');
  const ns = `${NS_PREFIX}probe-${process.pid}-${tag}`;
  const add = ipSync(['netns', 'add', ns]);
  if (add.missing) return { ok: false, reason: add.message };
  if (!add.ok) {
    const uid = process.getuid?.();
    return { ok: false, reason: `cannot create a network namespace (ip netns add: ${add.message}; uid ${uid}, needs root or CAP_SYS_ADMIN+CAP_NET_ADMIN)` };
  }
  try {
    const veth = ipSync(['link', 'add', `vp${tag}a`, 'type', 'veth', 'peer', 'name', `vp${tag}b`]);
    if (!veth.ok) return { ok: false, reason: `cannot create a veth pair (ip link add … type veth: ${veth.message})` };
    ipSync(['link', 'del', `vp${tag}a`]);
    return { ok: true };
  } finally {
    ipSync(['netns', 'del', ns]);
  }
}

/** A namespace linked to the host. */
export interface Netns {
  name: string;
  /** Address of the host end of the veth pair (bind services here for the namespace to reach). */
  hostIp: string;
  /** Address inside the namespace. */
  nsIp: string;
  hostIf: string;
  /** Start a command inside the namespace (`ip netns exec` execs in place, so the pid is the command's). */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Run a command inside the namespace and collect its output. */
  exec(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
  /** Delete the namespace and the veth pair. Idempotent; never throws. */
  destroy(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete namespaces left behind by earlier test processes of ours that died without cleaning up. */
async function sweepStale(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-`).exec(name);
    if (m && !pidAlive(Number(m[1]))) await run('ip', ['netns', 'del', name]).catch(() => undefined);
  }
}

async function usedAddresses(): Promise<string> {
  return (await run('ip', ['-o', '-4', 'addr', 'show'])).stdout;
}

/** Create a namespace with `lo` up and a veth pair addressed from a free /30 in 10.213.0.0/16. */
export async function createNetns(): Promise<Netns> {
  await sweepStale();
  const tag = randomBytes(3).toString('hex');
  const name = `${NS_PREFIX}${process.pid}-${tag}`;
  const hostIf = `v2h${tag}h`;
  const nsIf = `v2h${tag}n`;
  const used = await usedAddresses();
  let third = 0;
  let base = 0;
  do {
    third = Math.floor(Math.random() * 256);
    base = Math.floor(Math.random() * 64) * 4;
  } while (used.includes(`10.213.${third}.${base + 1}/`) || used.includes(`10.213.${third}.${base + 2}/`));
  const hostIp = `10.213.${third}.${base + 1}`;
  const nsIp = `10.213.${third}.${base + 2}`;
  const destroy = async () => {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    // Deleting the namespace removes its veth end and with it the peer; this covers a half-built setup.
    await run('ip', ['link', 'del', hostIf]).catch(() => undefined);
  };
  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await run('ip', ['link', 'set', nsIf, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await run('ip', ['link', 'set', hostIf, 'up']);
    await run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up']);
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    name,
    hostIp,
    nsIp,
    hostIf,
    spawn: (cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', name, cmd, ...args], opts),
    async exec(cmd, args, opts = {}) {
      return run('ip', ['netns', 'exec', name, cmd, ...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000 });
    },
    destroy,
  };
}
