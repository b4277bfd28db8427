/** The top-level routers of the operations layer, for `AppOptions.routers`. */
import type { Router } from 'express';
import type { Resources } from '../context';
import { dashboardRouter } from '../dashboard/router';
import { metricsRouter } from '../metrics/router';

/** `/metrics` and `/dashboard`. Builds this process's metrics registry. */
export function opsRouters(res: Resources): Array<{ path: string; router: Router }> {
  return [
    { path: '/metrics', router: metricsRouter(res) },
    { path: '/dashboard', router: dashboardRouter(res) },
  ];
}
