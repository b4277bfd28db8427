/**
 * Process roles: the API process (HTTP, Bull Board, schedules) and the
 * standalone process (the API plus every worker in one process). Both shut
 * down gracefully on SIGTERM/SIGINT: stop taking work, finish active jobs,
 * then close connections.
 */
import type { Server } from 'node:http';
import { createApp, type AppOptions } from './api/app';
import type { Resources } from './context';
import { opsRouters } from './ops/routers';
import { syncSchedules } from './schedules';
import { startWorkers, type StartWorkersOptions, type WorkerSet } from '../workers';
import { syncHousekeeping } from '../workers/housekeeping';

/** A running API server. */
export interface ApiHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start the HTTP server on the configured host and port. */
export async function startApi(res: Resources, opts: AppOptions = {}): Promise<ApiHandle> {
  const app = createApp(res, { ...opts, routers: [...opsRouters(res), ...(opts.routers ?? [])] });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(res.config.http.port, res.config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : res.config.http.port;
  const host = res.config.http.host.includes(':') ? `[${res.config.http.host}]` : res.config.http.host;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Everything in one process. */
export interface StandaloneHandle {
  api: ApiHandle;
  workers: WorkerSet;
  close(): Promise<void>;
}

/** Start API, schedules and all workers in this process. */
export async function startStandalone(res: Resources, workerOpts: StartWorkersOptions = {}): Promise<StandaloneHandle> {
  let draining = false;
  await syncSchedules(res);
  await syncHousekeeping(res);
  const workers = startWorkers(res, workerOpts);
  const api = await startApi(res, { draining: () => draining });
  return {
    api,
    workers,
    async close() {
      draining = true;
      await workers.close();
      await api.close();
    },
  };
}

/** Run `close` once on SIGTERM/SIGINT, then exit. A second signal exits at once. */
export function onShutdown(close: () => Promise<void>, log: (msg: string) => void): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    log(`${signal} received: draining (active jobs finish, nothing new is taken)`);
    close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
