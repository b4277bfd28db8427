/**
 * CSRF protection for the browser areas (Bull Board, dashboard). Browsers
 * resend HTTP Basic credentials to any request aimed at the site, so a write
 * must prove it comes from our own pages: `Sec-Fetch-Site` (when sent) must be
 * `same-origin`, and `Origin` (else `Referer`) must name this host. A write
 * with none of these headers is only accepted with a Bearer token, which a
 * browser never adds on its own.
 */
import type { Request, RequestHandler } from 'express';
import type { Config } from '../../config';
import { HttpError } from '../errors';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Why a write request is not same-origin, or null when it is. */
export function crossOriginProblem(req: Request, allowedHosts: readonly string[]): string | null {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is "${site}", expected same-origin`;
  const host = (req.get('host') ?? '').toLowerCase();
  const hosts = new Set([host, ...allowedHosts].filter(Boolean));
  const origin = req.get('origin');
  const referer = req.get('referer');
  if (origin !== undefined && origin !== 'null') {
    const h = hostOf(origin);
    return h && hosts.has(h) ? null : `Origin ${origin} is not this site`;
  }
  if (referer !== undefined) {
    const h = hostOf(referer);
    return h && hosts.has(h) ? null : 'Referer is not this site';
  }
  if (origin === 'null') return 'Origin is null (sandboxed or cross-site)';
  // Sec-Fetch-Site is set by the browser itself; page scripts cannot forge it.
  if (site === 'same-origin') return null;
  if (/^bearer\s/i.test(req.get('authorization') ?? '')) return null;
  return 'a browser write needs an Origin or Referer header of this site (or use a Bearer token)';
}

/** Refuse cross-site writes (403 `csrf`). `PUBLIC_URL`'s host counts as this site too (reverse proxies). */
export function sameOriginGuard(config: Pick<Config, 'http'>): RequestHandler {
  const publicHost = hostOf(config.http.publicUrl);
  const allowed = publicHost ? [publicHost] : [];
  return (req, _res, next) => {
    if (SAFE.has(req.method)) return next();
    const problem = crossOriginProblem(req, allowed);
    next(problem ? new HttpError(403, 'csrf', `cross-site write refused: ${problem}`) : undefined);
  };
}
