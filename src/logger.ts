/**
 * JSON-lines logging with winston. Every line passes through {@link redact},
 * so API keys, tokens, passwords and Authorization headers never reach a sink,
 * even when nested inside error objects thrown by SDKs.
 */
import winston from 'winston';

/** A scoped logger. `child` adds context fields such as runId, jobId, queue, pipeline. */
export type Logger = winston.Logger;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: string;
  /** Context fields added to every line. */
  defaultMeta?: Record<string, unknown>;
  /** Extra transports (tests capture lines with a stream transport). Default: stdout. */
  transports?: winston.transport[];
  /** Secret values to mask wherever they appear in text (e.g. configured tokens). */
  secrets?: readonly string[];
}

const MASK = '[REDACTED]';
const SENSITIVE_KEY = /(pass(word)?|secret|token|api[-_]?key|authorization|auth|cookie|credential|private[-_]?key|smtp_url)/i;
const TEXT_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\b(api[_-]?key|token|password|secret)=([^&\s"']+)/gi,
  /(\w+:\/\/[^:/\s]+:)([^@\s]+)(@)/g, // credentials inside URLs
  /\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5))\s+[A-Za-z0-9+/=._-]{4,}/gi, // SMTP AUTH echoed in nodemailer errors
];

/** Mask secrets in a string. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(MASK);
  out = out.replace(TEXT_PATTERNS[0]!, (_m, scheme: string) => `${scheme} ${MASK}`);
  out = out.replace(TEXT_PATTERNS[1]!, MASK);
  out = out.replace(TEXT_PATTERNS[2]!, (_m, k: string) => `${k}=${MASK}`);
  out = out.replace(TEXT_PATTERNS[3]!, (_m, a: string, _p: string, c: string) => `${a}${MASK}${c}`);
  out = out.replace(TEXT_PATTERNS[4]!, (_m, cmd: string) => `${cmd} ${MASK}`);
  return out;
}

/**
 * Deep-copy a value with secrets masked: values under sensitive keys are
 * replaced, strings are scanned for bearer tokens, keys and URL credentials,
 * and Error objects become plain `{ name, message, stack, cause, ... }`.
 */
export function redact(value: unknown, secrets: readonly string[] = [], seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (seen.has(value) || depth > 8) return '[Circular]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, seen, depth + 1));
  const source: Record<string, unknown> = {};
  if (value instanceof Error) {
    source.name = value.name;
    source.message = value.message;
    if (value.stack) source.stack = value.stack;
    if ('cause' in value && value.cause !== undefined) source.cause = value.cause;
  }
  if (typeof (value as { entries?: unknown }).entries === 'function' && typeof (value as Headers).get === 'function') {
    // Fetch Headers objects (e.g. on openai SDK errors).
    for (const [k, v] of (value as Headers).entries()) source[k] = v;
  } else {
    for (const [k, v] of Object.entries(value)) source[k] = v;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    out[k] = SENSITIVE_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? MASK : redact(v, secrets, seen, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info, opts?: unknown) => {
  const secrets = (opts as { secrets?: readonly string[] } | undefined)?.secrets ?? [];
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    const v = info[key];
    info[key] = SENSITIVE_KEY.test(key) && (typeof v === 'string' || typeof v === 'number') ? MASK : redact(v, secrets);
  }
  // winston keeps the formatted message under a symbol too; make sure it is clean.
  return info;
});

/** Create the process logger. Library code receives it (or a child) by injection. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: options.defaultMeta,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactFormat({ secrets: options.secrets }),
      winston.format.timestamp(),
      winston.format.json({ bigint: true } as never),
    ),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}

/** A logger that drops everything; handy default for library callers and tests. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
