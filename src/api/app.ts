/**
 * The HTTP app: health, the JSON API under /api (token auth, roles), and Bull
 * Board under /admin/queues. Built from injected resources; `listen` is the
 * caller's business so tests can use supertest.
 */
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { ALL_QUEUES } from '../../queues/names';
import { AuditLog } from '../audit/audit-log';
import type { Resources } from '../context';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { datasetsRouter } from './routes/datasets';
import { dlqRouter } from './routes/dlq';
import { llmRouter } from './routes/llm';
import { queuesRouter } from './routes/queues';
import { resourcesRouter } from './routes/resources';
import { runsRouter } from './routes/runs';
import { schedulesRouter } from './routes/schedules';
import {
  API_POLICY,
  auditRequests,
  BOARD_PATH,
  browserAuth,
  bullBoardRouter,
  enforcePolicy,
  jsonBody,
  metricsAuth,
  rateLimiter,
  sameOriginGuard,
  securityHeaders,
  urlGuard,
} from './security';

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
  /** Audit log to record into. Default: `<dataDir>/audit`, daily files, 30 kept. */
  audit?: AuditLog;
}

/** Build the express app. */
export function createApp(res: Resources, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const config = res.config;
  const audit = opts.audit ?? new AuditLog({ dir: path.join(config.dataDir, 'audit'), logger: res.logger });
  // Audit first so that refusals by every later layer (rate limit, auth, roles) are recorded.
  app.use(auditRequests(audit, config.apiTokens), securityHeaders(), urlGuard, rateLimiter(config, { redis: res.redis, prefix: `${res.keyPrefix}:ratelimit` }));
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
  // Guards for routers other layers mount: /metrics (optional auth) and /dashboard (browser auth, CSRF, viewers read only).
  app.use('/metrics', metricsAuth(config));
  app.use('/dashboard', browserAuth(config), sameOriginGuard(config), enforcePolicy([], 'operator'));
  for (const r of opts.routers ?? []) app.use(r.path, r.router);

  app.use(BOARD_PATH, bullBoardRouter(ALL_QUEUES.map((name) => res.queues[name]), config));

  const api = express.Router();
  api.use(authenticate(config.apiTokens), enforcePolicy(API_POLICY), jsonBody(config.http.bodyLimit));
  api.use('/runs', runsRouter(res));
  api.use('/schedules', schedulesRouter(res));
  api.use('/queues', queuesRouter(res));
  api.use('/', resourcesRouter(res));
  api.use('/', datasetsRouter(res));
  api.use('/dlq', dlqRouter(res));
  api.use('/llm', llmRouter(res));
  for (const r of opts.apiRouters ?? []) api.use(r.path, r.router);
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(res.logger, { exposeStack: config.nodeEnv === 'development' }));
  return app;
}
