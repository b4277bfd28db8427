/**
 * Container health check (the image has no curl):
 *
 *   node dist/src/ops/healthcheck.js                 # worker: Redis answers PING
 *   node dist/src/ops/healthcheck.js http://…/healthz # api: the URL answers 2xx
 *
 * Exits 0 when healthy, 1 otherwise, within `timeoutMs`.
 */
import { createRedis } from '../../queues/connection';
import { loadConfig } from '../config';

/** Whether Redis at `url` answers PING. */
export async function redisHealthy(url: string, timeoutMs = 4000): Promise<boolean> {
  const redis = createRedis({ url, name: 'healthcheck', failFast: true });
  redis.on('error', () => undefined);
  try {
    const pong = await Promise.race([redis.ping(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
    return pong === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Whether `url` answers with a 2xx status. */
export async function httpHealthy(url: string, timeoutMs = 4000): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return r.ok;
  } catch {
    return false;
  }
}

if (require.main === module) {
  const target = process.argv[2];
  const check = target ? httpHealthy(target) : redisHealthy(loadConfig().redisUrl);
  void check.then((ok) => process.exit(ok ? 0 : 1), () => process.exit(1));
}
