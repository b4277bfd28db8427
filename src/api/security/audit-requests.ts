/**
 * Feed the audit log: when a response finishes, record it if an authenticated
 * caller tried to change something (any non-GET), or if the request was
 * refused (401, 403, 429). Mounted first, so refusals by every later layer
 * are seen.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AuditEntry, AuditLog } from '../../audit/audit-log';
import type { ApiToken } from '../../config';
import { principalOf } from '../auth';
import { API_POLICY, API_READ_PATTERNS, BOARD_POLICY, BOARD_READ_PATTERNS, matchPattern, matchPolicy } from './route-policy';
import { presentedToken } from './rate-limit';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REFUSED = new Set([401, 403, 429]);
const MAX_VALUE = 128;

const clip = (s: string, n = MAX_VALUE) => (s.length > n ? `${s.slice(0, n)}…` : s);

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The route pattern and its parameters for a method and path, if the matrix knows it. */
function routeOf(method: string, pathname: string): { route: string; params: Record<string, string> } | undefined {
  const m = matchPolicy(API_POLICY, method, pathname) ?? matchPolicy(BOARD_POLICY, method, pathname);
  if (m) return { route: m.rule.pattern, params: m.params };
  for (const pattern of [...API_READ_PATTERNS, ...BOARD_READ_PATTERNS]) {
    const params = matchPattern(pattern, pathname);
    if (params) return { route: pattern, params };
  }
  return undefined;
}

/** Build the entry for a finished request. */
export function auditEntryFor(req: Request, res: Response, tokens: readonly ApiToken[], captured: { code?: string; runId?: string }): AuditEntry {
  const pathname = clip(req.originalUrl.split('?')[0] ?? '', 512);
  const principal = principalOf(res) ?? (() => {
    const t = presentedToken(tokens, req.headers.authorization);
    return t ? { role: t.role, tokenId: t.id } : undefined;
  })();
  const matched = routeOf(req.method, pathname);
  const target: Record<string, string> = {};
  for (const [k, v] of Object.entries(matched?.params ?? {})) target[k] = clip(safeDecode(v));
  const body = req.body as { pipeline?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.pipeline === 'string') target.pipeline = clip(body.pipeline, 64);
  if (captured.runId) target.runId = clip(captured.runId);
  const status = res.statusCode;
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    role: principal?.role ?? null,
    tokenId: principal?.tokenId ?? null,
    method: req.method,
    route: matched?.route ?? pathname,
    path: pathname,
    target,
    status,
    result: REFUSED.has(status) ? 'refused' : status < 400 ? 'ok' : 'failed',
    ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
  };
  if (captured.code) entry.reason = clip(captured.code, 64);
  return entry;
}

/** Middleware that records audited requests into `audit`. */
export function auditRequests(audit: AuditLog, tokens: readonly ApiToken[]): RequestHandler {
  return (req, res, next) => {
    const captured: { code?: string; runId?: string } = {};
    const json = res.json.bind(res);
    // Keep only the error code and a new run's id from the response, never the body.
    res.json = (body: unknown) => {
      const b = body as { error?: { code?: unknown }; runId?: unknown } | null;
      if (b && typeof b === 'object') {
        if (b.error && typeof b.error.code === 'string') captured.code = b.error.code;
        if (typeof b.runId === 'string') captured.runId = b.runId;
      }
      return json(body);
    };
    res.on('finish', () => {
      const write = !READ_METHODS.has(req.method);
      const refused = REFUSED.has(res.statusCode);
      if (!refused && !(write && principalOf(res))) return;
      audit.record(auditEntryFor(req, res, tokens, captured));
    });
    next();
  };
}
