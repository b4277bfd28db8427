/**
 * `GET /dashboard`: the server-rendered status page. Same tokens as the API;
 * browsers may use HTTP Basic (any user name, the token as password).
 */
import express, { type Router } from 'express';
import { authenticate } from '../api/auth';
import type { Resources } from '../context';
import { loadDashboard, type DashboardOptions } from './data';
import { renderDashboard } from './render';

// The page needs no scripts, fonts or frames: lock it down whatever the app-wide policy is.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The router to mount at `/dashboard`. */
export function dashboardRouter(res: Resources, opts: DashboardOptions & { refreshSeconds?: number } = {}): Router {
  const router = express.Router();
  router.use(authenticate(res.config.apiTokens, { browser: true }));
  router.get('/', async (_req, reply, next) => {
    try {
      const data = await loadDashboard(res, opts);
      reply
        .status(200)
        .set('Content-Type', 'text/html; charset=utf-8')
        .set('Cache-Control', 'no-store')
        .set('Content-Security-Policy', CSP)
        .send(renderDashboard(data, { refreshSeconds: opts.refreshSeconds }));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
