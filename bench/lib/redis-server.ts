/**
 * A private redis-server for benchmarks and chaos tests: its own port and
 * directory (AOF with fsync on every write), so its memory peak is ours alone
 * and it can be shut down and restarted without touching anyone else's Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** A running private Redis. */
export interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  /** Stop it (`SHUTDOWN`; the AOF already holds every write) and wait for the process to exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** `INFO memory` fields as numbers. */
  memory(): Promise<Record<string, number>>;
  /** Stop it and delete its directory. */
  destroy(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      // While loading the AOF Redis answers LOADING; PING succeeds only when it is ready.
      if ((await r.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      r.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis at ${url} did not answer PING in ${deadlineMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Start a private redis-server with AOF (`appendfsync always`) in a temp dir. */
export async function startPrivateRedis(opts: { bin?: string; port?: number } = {}): Promise<PrivateRedis> {
  const bin = opts.bin ?? '/usr/bin/redis-server';
  const port = opts.port ?? (await freePort());
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', '', '--logfile', path.join(dir, 'redis.log')], {
      stdio: 'ignore',
    });
    const c = child;
    exited = new Promise((res) => c.once('exit', () => res()));
    await waitForPing(url, 15_000);
  }

  async function stop(): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.call('SHUTDOWN');
    } catch {
      // the connection closes as the server exits
    } finally {
      r.disconnect();
    }
    await exited;
  }

  async function memory(): Promise<Record<string, number>> {
    const r = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      const info = await r.info('memory');
      const out: Record<string, number> = {};
      for (const line of info.split('\r\n')) {
        const [k, v] = line.split(':');
        if (k && v !== undefined && /^-?\d+(\.\d+)?$/.test(v)) out[k] = Number(v);
      }
      return out;
    } finally {
      r.disconnect();
    }
  }

  await start();
  return {
    port,
    url,
    dir,
    stop,
    start,
    memory,
    async destroy() {
      await stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
