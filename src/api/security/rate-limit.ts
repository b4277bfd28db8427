/**
 * Request rate limit per token (per client IP when no valid token is
 * presented, so guessing tokens is limited too), over a one-minute window.
 * Over the limit: 429 JSON error with `Retry-After` and the standard
 * `RateLimit`/`RateLimit-Policy` headers. With a Redis connection the
 * counters are shared by every API replica; without one they live in this
 * process's memory. If Redis fails, requests pass (an outage of the limiter
 * must not take the API down) and the error is left to the logs.
 */
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { ApiToken, Config } from '../../config';
import { matchToken, presentedSecret } from '../auth';
import { HttpError } from '../errors';
import { RedisRateLimitStore } from './redis-rate-store';

/** The configured token a request presents (Bearer or Basic), if any; does not enforce anything. */
export function presentedToken(tokens: readonly ApiToken[], authorization: string | undefined): ApiToken | undefined {
  const secret = presentedSecret(authorization, true);
  return secret === undefined ? undefined : matchToken(tokens, secret);
}

/** Paths never limited: health probes. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

/** The rate limiter for the whole app, `config.http.rateLimitPerMinute` requests per token or IP per minute. */
export function rateLimiter(config: Pick<Config, 'http' | 'apiTokens'>, shared?: { redis: Redis; prefix: string }): RequestHandler {
  const limit = config.http.rateLimitPerMinute;
  return rateLimit({
    windowMs: 60_000,
    store: shared ? new RedisRateLimitStore(shared.redis, shared.prefix) : undefined,
    passOnStoreError: true,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => UNLIMITED.has(req.path),
    keyGenerator: (req) => {
      const t = presentedToken(config.apiTokens, req.headers.authorization);
      return t ? `token:${t.id}` : `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
    },
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('Retry-After');
      next(
        new HttpError(429, 'rate_limited', `more than ${limit} requests per minute; retry after ${String(retryAfter ?? 60)} s`, {
          'Retry-After': String(retryAfter ?? 60),
        }),
      );
    },
  });
}
