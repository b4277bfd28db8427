/**
 * `dataops start` (what `npm start` runs): with Redis down and redis-server
 * installed, it starts its own Redis under data/redis, serves the API with a
 * generated admin token, completes a first run, and drains on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

const REPO = path.resolve(__dirname, '..', '..', '..');
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

(hasRedisServer ? it : it.skip)('starts its own Redis, serves the API, runs sample_daily and drains on SIGTERM', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dataops-standalone-'));
  const redisPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'start'], {
    cwd: REPO,
    env: { ...process.env, API_TOKENS: '', HOST: '127.0.0.1', PORT: '0', REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATA_DIR: path.join(tmp, 'data'), QUEUE_PREFIX: 'standalone', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/Started a first run/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/starting redis-server on port \d+/);
    const base = /Bull Board\s+(http:\/\/[^/\s]+)\/admin\/queues/.exec(out)![1]!;
    const token = /shown once\):\s*\n\s*(\S+)/.exec(out)![1]!;
    const runUrl = /first run of sample_daily \(no API key needed\): \S+(\/api\/runs\/\S+)/.exec(out)![1]!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/runs`)).status).toBe(401);
    let state = '';
    while (state !== 'completed' && Date.now() < deadline) {
      const r = await fetch(`${base}${runUrl}`, { headers: { Authorization: `Bearer ${token}` } });
      state = ((await r.json()) as { state: string }).state;
      if (state === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('completed');
    expect((await fs.readdir(path.join(tmp, 'data', 'redis'))).length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The Redis it started is stopped with it.
    const probe = new Redis(`redis://127.0.0.1:${redisPort}`, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const deadline2 = Date.now() + 10_000;
    let down = false;
    while (!down && Date.now() < deadline2) {
      down = await probe.connect().then(() => false, () => true);
      if (!down) {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(down).toBe(true);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
    await fs.rm(tmp, { recursive: true, force: true });
  }
}, 90_000);
