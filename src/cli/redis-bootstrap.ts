/**
 * Standalone mode's Redis: use REDIS_URL if it answers; otherwise, if a
 * `redis-server` binary is installed and the URL points at this machine,
 * start one with its data under `data/redis/`; otherwise explain how to get one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

/** Whether Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** How to get Redis, printed when none is reachable. */
export const REDIS_HELP = [
  'Redis is not reachable and no redis-server binary was found.',
  'Install and start one, then run npm start again:',
  '  Debian/Ubuntu: sudo apt-get install -y redis-server && redis-server --daemonize yes',
  '  macOS:         brew install redis && brew services start redis',
  '  Docker:        docker run -d -p 6379:6379 redis:7',
  'or point REDIS_URL at an existing server.',
].join('\n');

/** Ensure Redis is up. Returns the child process if this call started one. */
export async function ensureRedis(url: string, dataDir: string, say: (line: string) => void): Promise<ChildProcess | undefined> {
  if (await redisAnswers(url)) return undefined;
  const u = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (!local || found.error || found.status !== 0) throw new Error(`${REDIS_HELP}\n(REDIS_URL=${u.protocol}//${u.host})`);
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = u.port || '6379';
  say(`Redis did not answer at ${u.host}; starting redis-server on port ${port} with data in ${dir}`);
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 500)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`started redis-server but it does not answer at ${u.host}`);
}
