/**
 * Security headers (helmet). The JSON API gets helmet's strict defaults with
 * `default-src 'none'` (it serves no documents). The browser areas
 * (`/admin/queues`, `/dashboard`) get a CSP that lets Bull Board's UI work:
 * its scripts are same-origin files, but it uses inline styles and loads the
 * IBM Plex font from Google Fonts. Inline scripts stay forbidden everywhere.
 * `upgrade-insecure-requests` is left out because the server speaks plain
 * HTTP on loopback; TLS is the reverse proxy's job.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Path prefixes served to browsers as HTML. */
export const BROWSER_AREAS = ['/admin/queues', '/dashboard'] as const;

const browserCsp = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
    fontSrc: ["'self'", 'data:', 'https://fonts.gstatic.com'],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'", 'blob:'],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

const apiCsp = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
};

const isBrowserArea = (p: string) => BROWSER_AREAS.some((a) => p === a || p.startsWith(`${a}/`));

/** helmet with a CSP chosen by path. */
export function securityHeaders(): RequestHandler {
  const forBrowser = helmet({ contentSecurityPolicy: browserCsp, crossOriginEmbedderPolicy: false });
  const forApi = helmet({ contentSecurityPolicy: apiCsp });
  return (req, res, next) => (isBrowserArea(req.path.toLowerCase()) ? forBrowser : forApi)(req, res, next);
}
