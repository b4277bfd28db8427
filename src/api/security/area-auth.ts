/**
 * Authentication for the browser areas and for `/metrics`.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../../config';
import { authenticate, principalOf } from '../auth';

/**
 * Bull Board and the dashboard: a valid token as HTTP Basic password (any
 * user name) or as Bearer; without one the browser is asked to log in.
 */
export function browserAuth(config: Pick<Config, 'apiTokens'>): RequestHandler {
  return authenticate(config.apiTokens, { browser: true });
}

/**
 * `/metrics`: open unless `config.http.metricsRequireAuth`; then any valid
 * token (Bearer or Basic, any role). Safe to mount twice: a request already
 * authenticated passes.
 */
export function metricsAuth(config: Pick<Config, 'apiTokens' | 'http'>): RequestHandler {
  const check = authenticate(config.apiTokens, { browser: true });
  return (req, res, next) => {
    if (!config.http.metricsRequireAuth || principalOf(res)) return next();
    check(req, res, next);
  };
}
