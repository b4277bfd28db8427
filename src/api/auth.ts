/**
 * Token authentication and role checks. Tokens come from API_TOKENS as
 * `role:token` pairs and are compared in constant time (both sides are hashed
 * to a fixed length first). Bearer works everywhere; HTTP Basic (password =
 * token, any user name) also works so browsers can open Bull Board and the
 * dashboard.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ROLES, type ApiToken, type Role } from '../config';
import { HttpError } from './errors';

/** Who made a request. */
export interface Principal {
  role: Role;
  tokenId: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Find the token entry matching a presented secret, in constant time per entry. */
export function matchToken(tokens: readonly ApiToken[], presented: string): ApiToken | undefined {
  const p = digest(presented);
  let found: ApiToken | undefined;
  for (const t of tokens) {
    // No early exit: every configured token is compared.
    if (timingSafeEqual(p, digest(t.token)) && !found) found = t;
  }
  return found;
}

/** Extract the presented secret from Authorization: Bearer or Basic. */
export function presentedSecret(header: string | undefined, allowBasic: boolean): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (allowBasic && scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    return sep >= 0 ? decoded.slice(sep + 1) : undefined;
  }
  return undefined;
}

/** The principal set by {@link authenticate}. */
export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** Require a valid token. `browser` routes also accept Basic and ask the browser for it. */
export function authenticate(tokens: readonly ApiToken[], opts: { browser?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    const secret = presentedSecret(req.headers.authorization, opts.browser === true);
    const match = secret === undefined ? undefined : matchToken(tokens, secret);
    if (!match) {
      const headers: Record<string, string> = opts.browser ? { 'WWW-Authenticate': 'Basic realm="dataops", charset="UTF-8"' } : { 'WWW-Authenticate': 'Bearer' };
      next(new HttpError(401, 'unauthorized', secret === undefined ? 'missing Authorization header (Bearer <token>)' : 'invalid token', headers));
      return;
    }
    res.locals.principal = { role: match.role, tokenId: match.id } satisfies Principal;
    next();
  };
}

/** Whether `role` includes the rights of `needed` (viewer < operator < admin). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Require at least `needed`. */
export function requireRole(needed: Role): RequestHandler {
  return (_req, res, next) => {
    const p = principalOf(res);
    if (!p || !roleAtLeast(p.role, needed)) {
      next(new HttpError(403, 'forbidden', `this action needs the ${needed} role`));
      return;
    }
    next();
  };
}
