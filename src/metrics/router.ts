/**
 * `GET /metrics` in the Prometheus text format. Open by default (scrapers
 * rarely carry tokens; nothing secret is exposed), or token-protected when
 * METRICS_REQUIRE_AUTH is on.
 */
import express, { type Router } from 'express';
import type { Registry } from 'prom-client';
import { metricsAuth } from '../api/security';
import type { Resources } from '../context';
import { createMetricsRegistry } from './registry';

/** Options of {@link metricsRouter}. */
export interface MetricsRouterOptions {
  /** Use this registry instead of building one. */
  registry?: Registry;
  /** A scrape that takes longer answers 503 (Redis down must not hang Prometheus). Default 10 s. */
  timeoutMs?: number;
}

/** The router to mount at `/metrics`. */
export function metricsRouter(res: Resources, opts: MetricsRouterOptions = {}): Router {
  const registry = opts.registry ?? createMetricsRegistry(res);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const router = express.Router();
  // Same rule as the app-level guard (Bearer or Basic, any role); a no-op when the app already authenticated.
  router.use(metricsAuth(res.config));
  router.get('/', async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const body = await Promise.race([
        registry.metrics(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`metrics scrape took longer than ${timeoutMs} ms (is Redis reachable?)`)), timeoutMs);
        }),
      ]);
      reply.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(body);
    } catch (err) {
      res.logger.warn('metrics scrape failed', { error: (err as Error).message });
      reply.status(503).json({ error: { code: 'metrics_unavailable', message: (err as Error).message } });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
