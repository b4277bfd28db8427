/** One error shape for every API error: `{ "error": { "code", "message" } }` with a fitting status. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors';
import type { Logger } from '../logger';

/** An error with an HTTP status and a stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Format zod issues as `field: message; field: message`. */
export function formatZodError(err: z.ZodError, root = ''): string {
  return err.issues
    .map((i) => {
      const field = [root, ...i.path.map(String)].filter(Boolean).join('.');
      return field ? `${field}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Parse with zod or throw a 400 naming the fields. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'invalid_request', formatZodError(r.error, root));
  return r.data;
}

/** 404 for unknown routes. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** Turn any error into the JSON error shape. Stack traces only in development. */
export function errorHandler(logger: Logger, opts: { exposeStack: boolean }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let code = 'internal';
    let message = 'internal error';
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
    if (err instanceof HttpError) {
      ({ status, code, message } = err);
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    } else if (err instanceof NotFoundError) {
      [status, code, message] = [404, 'not_found', err.message];
    } else if (err instanceof ValidationError) {
      [status, code, message] = [400, 'invalid_request', err.message];
    } else if (err instanceof z.ZodError) {
      [status, code, message] = [400, 'invalid_request', formatZodError(err)];
    } else if (e && typeof (e.status ?? e.statusCode) === 'number' && e.expose !== false && (e.status ?? e.statusCode)! < 500) {
      // body-parser errors: malformed JSON (400), too large (413), bad charset (415).
      status = (e.status ?? e.statusCode)!;
      code = e.type === 'entity.too.large' ? 'payload_too_large' : e.type === 'entity.parse.failed' ? 'malformed_json' : 'bad_request';
      message = e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : (e.message ?? 'bad request');
    }
    if (status >= 500) logger.error('request failed', { method: req.method, path: req.path, error: err });
    const body: { error: { code: string; message: string; stack?: string } } = { error: { code, message } };
    if (opts.exposeStack && status >= 500 && err instanceof Error) body.error.stack = err.stack;
    res.status(status).json(body);
  };
}
