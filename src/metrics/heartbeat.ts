/**
 * Worker process metrics across the cluster. Each worker process writes a
 * small snapshot of itself (memory, CPU, event-loop delay, queues) to a Redis
 * hash every few seconds; the API's /metrics exposes one series per live
 * worker. prom-client's process metrics only describe the process scraped.
 */
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Resources } from '../context';

type HeartbeatRes = Pick<Resources, 'redis' | 'keyPrefix' | 'logger'>;

/** What one worker process reports. */
export interface ProcessSnapshot {
  worker: string;
  queues: string;
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  eventLoopDelayP99Seconds: number;
  uptimeSeconds: number;
}

/** The Redis hash of worker snapshots. */
export function processesKey(keyPrefix: string): string {
  return `${keyPrefix}:metrics:processes`;
}

/** This process's worker id: `host:pid` (the same as chunk results' `worker`). */
export function workerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Start reporting this process every `intervalMs`. Returns a stop function that also removes its entry. */
export function startProcessHeartbeat(res: HeartbeatRes, queues: readonly string[], intervalMs = 15_000): () => Promise<void> {
  const id = workerId();
  const key = processesKey(res.keyPrefix);
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const beat = async () => {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const snap: ProcessSnapshot = {
      worker: id,
      queues: [...queues].sort().join(','),
      at: Date.now(),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      cpuUserSeconds: cpu.user / 1e6,
      cpuSystemSeconds: cpu.system / 1e6,
      eventLoopDelayP99Seconds: delay.percentile(99) / 1e9,
      uptimeSeconds: process.uptime(),
    };
    delay.reset();
    await res.redis.hset(key, id, JSON.stringify(snap)).catch((err: Error) => res.logger.debug('heartbeat not written', { error: err.message }));
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    delay.disable();
    await res.redis.hdel(key, id).catch(() => undefined);
  };
}

/** Live worker snapshots; entries older than `staleMs` are dropped (and removed from Redis). */
export async function readProcessSnapshots(redis: Resources['redis'], keyPrefix: string, staleMs = 60_000, now = Date.now()): Promise<ProcessSnapshot[]> {
  const key = processesKey(keyPrefix);
  const all = await redis.hgetall(key);
  const live: ProcessSnapshot[] = [];
  const stale: string[] = [];
  for (const [id, json] of Object.entries(all)) {
    const snap = JSON.parse(json) as ProcessSnapshot;
    if (now - snap.at > staleMs) stale.push(id);
    else live.push(snap);
  }
  if (stale.length) await redis.hdel(key, ...stale);
  return live.sort((a, b) => a.worker.localeCompare(b.worker));
}
