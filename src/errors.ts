/**
 * Small error classes that tell the queue what to do with a failure.
 * Workers map {@link NonRetryableError} and {@link ValidationError} to BullMQ's
 * `UnrecoverableError`; {@link RateLimitedError} carries how long to wait.
 */

/** A failure that retrying cannot fix (bad input, missing file, unknown pipeline). */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/** Input that fails validation. Names the file (if any) and the field. */
export class ValidationError extends NonRetryableError {
  /** The file that holds the bad value, if it came from a file. */
  readonly file?: string;
  /** Dotted path of the bad field, e.g. `rules.before[1]`. */
  readonly field?: string;
  constructor(message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    const where = [details.file, details.field].filter(Boolean).join(': ');
    super(where ? `${where}: ${message}` : message, { cause: details.cause });
    this.name = 'ValidationError';
    this.file = details.file;
    this.field = details.field;
  }
}

/** A dependency asked us to slow down; `retryAfterMs` says for how long. */
export class RateLimitedError extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A requested thing does not exist (maps to HTTP 404). */
export class NotFoundError extends NonRetryableError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Turn anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const text = typeof thrown === 'string' ? thrown : safeStringify(thrown);
  return new Error(text, { cause: thrown });
}

/** Whether retrying the failed operation could help. */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof NonRetryableError);
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
