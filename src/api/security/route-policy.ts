/**
 * The role matrix in one place. Reads need viewer; each write route names the
 * role it needs; any write not listed needs admin (deny by default), so a new
 * write route is never open to viewers or operators by accident. Route
 * handlers keep their own `requireRole` as a second layer.
 */
import type { RequestHandler } from 'express';
import type { Role } from '../../config';
import { principalOf, roleAtLeast } from '../auth';
import { HttpError } from '../errors';

/** One row of the matrix. `pattern` is a full path; `:name` segments match one path segment. */
export interface PolicyRule {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: string;
  role: Role;
}

/** A matched rule and the path parameters it captured. */
export interface PolicyMatch {
  rule: PolicyRule;
  params: Record<string, string>;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes on /api and the role each needs (issue 7). Reads need viewer. */
export const API_POLICY: readonly PolicyRule[] = [
  { method: 'POST', pattern: '/api/runs', role: 'operator' },
  { method: 'POST', pattern: '/api/dlq/:id/retry', role: 'operator' },
  { method: 'POST', pattern: '/api/queues/:name/resume', role: 'operator' },
  { method: 'PUT', pattern: '/api/schedules/:pipeline', role: 'admin' },
  { method: 'DELETE', pattern: '/api/schedules/:pipeline', role: 'admin' },
  { method: 'DELETE', pattern: '/api/dlq/:id', role: 'admin' },
  { method: 'POST', pattern: '/api/queues/:name/pause', role: 'admin' },
  { method: 'POST', pattern: '/api/queues/:name/clean', role: 'admin' },
];

/** Reads that carry ids worth auditing or naming. */
export const API_READ_PATTERNS: readonly string[] = ['/api/runs/:runId', '/api/runs/:runId/lineage', '/api/dlq/:id'];

const BOARD = '/admin/queues/api/queues';
/**
 * Bull Board writes: operators retry, promote and resume (the same rights they
 * have on /api); everything else (clean, empty, obliterate, pause, add,
 * edit data, scheduler changes, concurrency) needs admin.
 */
export const BOARD_POLICY: readonly PolicyRule[] = [
  { method: 'PUT', pattern: `${BOARD}/:queue/retry/:status`, role: 'operator' },
  { method: 'PUT', pattern: `${BOARD}/:queue/:jobId/retry`, role: 'operator' },
  { method: 'PUT', pattern: `${BOARD}/:queue/promote`, role: 'operator' },
  { method: 'PUT', pattern: `${BOARD}/:queue/:jobId/promote`, role: 'operator' },
  { method: 'PUT', pattern: `${BOARD}/resume`, role: 'operator' },
  { method: 'PUT', pattern: `${BOARD}/:queue/resume`, role: 'operator' },
];

/** Reads on the board that name a queue and job (for audit targets). */
export const BOARD_READ_PATTERNS: readonly string[] = [`${BOARD}/:queue/:jobId`, `${BOARD}/:queue/:jobId/:view`];

function splitPath(p: string): string[] {
  const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  return trimmed.split('/');
}

/** Match a path against one pattern (case-insensitive literals, like express). */
export function matchPattern(pattern: string, pathname: string): Record<string, string> | null {
  const want = splitPath(pattern);
  const got = splitPath(pathname);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return null;
      params[w.slice(1)] = g;
    } else if (w.toLowerCase() !== g.toLowerCase()) return null;
  }
  return params;
}

/** The first rule for this method and path (literal rules are listed before wider ones). */
export function matchPolicy(rules: readonly PolicyRule[], method: string, pathname: string): PolicyMatch | undefined {
  for (const rule of rules) {
    if (rule.method !== method.toUpperCase()) continue;
    const params = matchPattern(rule.pattern, pathname);
    if (params) return { rule, params };
  }
  return undefined;
}

/** The role a request needs under `rules`: viewer for reads, the rule's role, else `fallback` (admin). */
export function requiredRole(rules: readonly PolicyRule[], method: string, pathname: string, fallback: Role = 'admin'): Role {
  if (READ_METHODS.has(method.toUpperCase())) return 'viewer';
  return matchPolicy(rules, method, pathname)?.rule.role ?? fallback;
}

/** Enforce `rules` after authentication: 403 naming the role that is needed. Unlisted writes need `fallback`. */
export function enforcePolicy(rules: readonly PolicyRule[], fallback: Role = 'admin'): RequestHandler {
  return (req, res, next) => {
    const p = principalOf(res);
    const needed = requiredRole(rules, req.method, req.baseUrl + req.path, fallback);
    if (!p || !roleAtLeast(p.role, needed)) {
      next(new HttpError(403, 'forbidden', `${req.method} ${req.baseUrl + req.path} needs the ${needed} role`));
      return;
    }
    next();
  };
}
