/**
 * The HTTP app: health, the JSON API under /api (token auth, roles), and Bull
 * Board under /admin/queues. Built from injected resources; `listen` is the
 * caller's business so tests can use supertest.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Express, type RequestHandler } from 'express';
import { ALL_QUEUES } from '../../queues/names';
import type { Resources } from '../context';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { datasetsRouter } from './routes/datasets';
import { queuesRouter } from './routes/queues';
import { resourcesRouter } from './routes/resources';
import { runsRouter } from './routes/runs';
import { schedulesRouter } from './routes/schedules';

/** Extension points for later layers (security hardening, metrics, dashboard). */
export interface AppOptions {
  /** Runs before everything (security headers, rate limits). */
  before?: RequestHandler[];
  /** Extra routers mounted under /api after authentication. */
  apiRouters?: Array<{ path: string; router: express.Router }>;
  /** Extra top-level routers (e.g. /metrics, /dashboard). */
  routers?: Array<{ path: string; router: express.Router }>;
  /** Reports whether the process is draining (readyz fails while draining). */
  draining?: () => boolean;
}

/** Build the express app. */
export function createApp(res: Resources, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  for (const h of opts.before ?? []) app.use(h);

  app.get('/healthz', (_req, reply) => {
    reply.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, reply) => {
    if (opts.draining?.()) {
      reply.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await Promise.race([res.redis.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))]);
      reply.json({ status: 'ready', redis: 'ok' });
    } catch (err) {
      reply.status(503).json({ status: 'unavailable', redis: (err as Error).message });
    }
  });
  for (const r of opts.routers ?? []) app.use(r.path, r.router);

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: ALL_QUEUES.map((name) => new BullMQAdapter(res.queues[name])),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'DataOps' } },
  });
  app.use('/admin/queues', authenticate(res.config.apiTokens, { browser: true }), board.getRouter());

  const api = express.Router();
  api.use(authenticate(res.config.apiTokens));
  api.use(express.json({ limit: res.config.http.bodyLimit, strict: true }));
  api.use('/runs', runsRouter(res));
  api.use('/schedules', schedulesRouter(res));
  api.use('/queues', queuesRouter(res));
  api.use('/', resourcesRouter(res));
  api.use('/', datasetsRouter(res));
  for (const r of opts.apiRouters ?? []) api.use(r.path, r.router);
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(res.logger, { exposeStack: res.config.nodeEnv === 'development' }));
  return app;
}
