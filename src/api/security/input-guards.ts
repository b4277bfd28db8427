/**
 * Input guards in front of the routes' zod schemas: JSON bodies only as
 * application/json, within the size limit, at most {@link MAX_JSON_DEPTH}
 * levels deep, without prototype keys, and, like URLs, without NUL/control
 * characters or bidirectional overrides (which make text display differently
 * from what it is).
 */
import express, { type RequestHandler } from 'express';
import { HttpError } from '../errors';

/** Deepest JSON nesting accepted (objects and arrays). */
export const MAX_JSON_DEPTH = 20;

// C0 controls except tab/LF/CR, DEL, C1 controls, bidi embeddings/overrides/isolates, and marks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first unsafe character in `s`, described (e.g. `U+202E`), or null. */
export function unsafeChar(s: string): string | null {
  const m = UNSAFE_CHARS.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** Nesting depth of raw JSON text (brackets outside strings), stopping early past `limit`. */
export function jsonDepth(raw: Buffer, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The first problem in a parsed JSON value (field path and what is wrong), or null. */
export function jsonProblem(value: unknown, field = 'body'): string | null {
  if (typeof value === 'string') {
    const bad = unsafeChar(value);
    return bad ? `${field}: contains the control or bidi character ${bad}` : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = jsonProblem(v, `${field}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return `${field}: the key "${k}" is not allowed`;
    const bad = unsafeChar(k);
    if (bad) return `${field}: a key contains the control or bidi character ${bad}`;
    const p = jsonProblem(v, `${field}.${k}`);
    if (p) return p;
  }
  return null;
}

const hasBody = (req: express.Request) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** 415 for a request body that is not application/json in UTF-8. */
export const requireJsonContent: RequestHandler = (req, _res, next) => {
  if (!hasBody(req)) return next();
  const type = req.headers['content-type'] ?? 'no Content-Type';
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  if (!req.is('application/json') || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    next(new HttpError(415, 'unsupported_media_type', `send the body as application/json in UTF-8 (got ${type.slice(0, 100)})`));
    return;
  }
  next();
};

/** Parse JSON bodies with the size limit, the depth limit and the key/character checks. */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      const depth = jsonDepth(buf);
      if (depth > MAX_JSON_DEPTH) throw new HttpError(400, 'too_deep', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    },
  });
  const check: RequestHandler = (req, _res, next) => {
    const problem = req.body === undefined ? null : jsonProblem(req.body);
    next(problem ? new HttpError(400, 'invalid_request', problem) : undefined);
  };
  return [requireJsonContent, parse, check];
}

/** 400 for URLs whose decoded path or query holds control or bidi characters, or bad percent-encoding. */
export const urlGuard: RequestHandler = (req, _res, next) => {
  const raw = req.originalUrl;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    next(new HttpError(400, 'invalid_url', 'the URL has malformed percent-encoding'));
    return;
  }
  const bad = unsafeChar(decoded);
  next(bad ? new HttpError(400, 'invalid_url', `the URL contains the control or bidi character ${bad}`) : undefined);
};
