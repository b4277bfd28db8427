/**
 * The one place that reads `process.env`. Everything else takes a {@link Config}
 * (or a slice of it) as an argument. Parsing has no side effects: it neither
 * connects nor exits, so importing this module is always safe.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/** Roles for API tokens, from least to most privileged. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** A role an API token carries. */
export type Role = (typeof ROLES)[number];

/** One configured API token. `id` is a short non-secret fingerprint for logs and audit. */
export interface ApiToken {
  role: Role;
  token: string;
  id: string;
}

/** Thrown when an environment variable has a bad value; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalNumber = (schema: z.ZodNumber) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      const parsed = schema.safeParse(n);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: `expected ${schema.description ?? 'a number'}, got "${v}"` });
        return z.NEVER;
      }
      return parsed.data;
    });

const numberWithDefault = (schema: z.ZodNumber, fallback: number) =>
  optionalNumber(schema).transform((v) => v ?? fallback);

const boolFlag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

const urlString = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL with scheme ${protocols.join(' or ')}` },
  );

const positive = z.number().positive().describe('a positive number');
const positiveInt = z.number().int().positive().describe('a positive integer');
const nonNegative = z.number().min(0).describe('a number >= 0');

const tokenList = z
  .string()
  .optional()
  .transform((v, ctx): ApiToken[] => {
    if (!v || v.trim() === '') return [];
    const out: ApiToken[] = [];
    for (const [i, raw] of v.split(',').entries()) {
      const pair = raw.trim();
      if (!pair) continue;
      const sep = pair.indexOf(':');
      const role = sep > 0 ? pair.slice(0, sep) : '';
      const token = sep > 0 ? pair.slice(sep + 1) : '';
      if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be role:token with role one of ${ROLES.join(', ')}` });
        return z.NEVER;
      }
      if (token.length < 8) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${role}) has a token shorter than 8 characters` });
        return z.NEVER;
      }
      out.push({ role: role as Role, token, id: tokenId(token) });
    }
    return out;
  });

/** A stable, non-secret identifier for a token: first 8 hex chars of its sha256. */
export function tokenId(token: string): string {
  return `tok_${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

const envSchema = z.object({
  // Production by default: stack traces are shown in API errors only when NODE_ENV=development.
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  REDIS_URL: urlString(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and - only')
    .default('dataops'),
  DATA_DIR: z.string().min(1).default('./data'),
  RESOURCES_DIR: z.string().min(1).default('./resources'),
  STORAGE_URL: optionalString.refine((v) => v === undefined || /^(file:|s3:\/\/[^/]+)/.test(v), {
    message: 'expected s3://bucket/prefix or file:///path',
  }),
  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: boolFlag(false),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: numberWithDefault(z.number().int().min(0).max(65535).describe('a port 0-65535'), 3000),
  PUBLIC_URL: optionalString,
  API_TOKENS: tokenList,
  METRICS_REQUIRE_AUTH: boolFlag(false),
  API_BODY_LIMIT: z.string().default('100kb'),
  API_RATE_LIMIT_PER_MIN: numberWithDefault(positiveInt, 600),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: 'expected an http(s) URL',
  }),
  LLM_MAX_RPS: optionalNumber(positive),
  LLM_MAX_TPM: optionalNumber(positive),
  LLM_DAILY_BUDGET_USD: optionalNumber(nonNegative),
  LLM_CONCURRENCY: numberWithDefault(positiveInt, 4),
  LLM_TIMEOUT_MS: numberWithDefault(positiveInt, 60_000),
  LLM_CACHE_TTL_SECONDS: numberWithDefault(positiveInt, 30 * 24 * 3600),
  SMTP_URL: optionalString.refine((v) => v === undefined || /^smtps?:\/\//.test(v), {
    message: 'expected smtp:// or smtps://',
  }),
  ALERT_EMAIL_FROM: z.string().default('dataops@localhost'),
  ALERT_EMAIL_TO: optionalString,
  SLACK_WEBHOOK_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: 'expected an http(s) URL',
  }),
  NOTIFY_THROTTLE_SECONDS: numberWithDefault(positiveInt, 900),
  NOTIFY_GROUP_WAIT_MS: numberWithDefault(z.number().int().min(0).describe('an integer >= 0'), 30_000),
  TMDB_API_KEY: optionalString,
  TMDB_BEARER_TOKEN: optionalString,
  DLQ_RETRY_BASE_MS: numberWithDefault(z.number().int().min(1).max(7 * 24 * 3600_000).describe('an integer 1-604800000'), 60_000),
  DLQ_RETRY_MAX: numberWithDefault(z.number().int().min(0).max(100).describe('an integer 0-100'), 5),
  DLQ_RETRY_EVERY_MS: numberWithDefault(z.number().int().min(1000).max(24 * 3600_000).describe('an integer 1000-86400000'), 5 * 60_000),
  DLQ_KEEP_RESOLVED_DAYS: numberWithDefault(z.number().int().min(1).max(3650).describe('an integer 1-3650'), 7),
  WORKER_CONCURRENCY: numberWithDefault(positiveInt, 4),
  WORKER_LOCK_MS: numberWithDefault(positiveInt, 60_000),
  WORKER_STALLED_INTERVAL_MS: numberWithDefault(positiveInt, 30_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
});

/** The parsed, frozen configuration of one process. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  redisUrl: string;
  queuePrefix: string;
  /** Absolute path of the data directory (raw/, processed/, output/, reports/). */
  dataDir: string;
  /** Absolute path of the resources directory (pipelines.yaml, tasks/). */
  resourcesDir: string;
  /** Where data files live: undefined means the local `dataDir`. */
  storageUrl?: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean };
  http: {
    host: string;
    port: number;
    /** Base URL used in links (emails, CLI). Defaults to http://HOST:PORT. */
    publicUrl: string;
    bodyLimit: string;
    rateLimitPerMinute: number;
    metricsRequireAuth: boolean;
  };
  apiTokens: readonly ApiToken[];
  llm: {
    apiKey?: string;
    baseUrl?: string;
    maxRps?: number;
    maxTpm?: number;
    dailyBudgetUsd?: number;
    concurrency: number;
    timeoutMs: number;
    cacheTtlSeconds: number;
  };
  mail: { smtpUrl?: string; from: string; to?: string; slackWebhookUrl?: string; throttleSeconds: number; groupWaitMs: number };
  tmdb: { apiKey?: string; bearerToken?: string };
  /** Dead-letter automatic retries: backoff base, max retries, task interval, how long resolved letters are kept. */
  dlq: { retryBaseMs: number; retryMax: number; retryEveryMs: number; keepResolvedDays: number };
  workerConcurrency: number;
  /** Job lock duration and stalled-job check interval: how fast a dead worker's jobs are recovered. */
  workerLockMs: number;
  workerStalledIntervalMs: number;
  logLevel: 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';
  /** The raw environment, for collectors that read named header variables (never logged). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Parse an environment into a frozen {@link Config}.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const host = e.HOST;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    resourcesDir: path.resolve(cwd, e.RESOURCES_DIR),
    storageUrl: e.STORAGE_URL,
    s3: { endpoint: e.S3_ENDPOINT, region: e.S3_REGION, forcePathStyle: e.S3_FORCE_PATH_STYLE },
    http: {
      host,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://${publicHost}:${e.PORT}`).replace(/\/$/, ''),
      bodyLimit: e.API_BODY_LIMIT,
      rateLimitPerMinute: e.API_RATE_LIMIT_PER_MIN,
      metricsRequireAuth: e.METRICS_REQUIRE_AUTH,
    },
    apiTokens: Object.freeze(e.API_TOKENS),
    llm: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      maxRps: e.LLM_MAX_RPS,
      maxTpm: e.LLM_MAX_TPM,
      dailyBudgetUsd: e.LLM_DAILY_BUDGET_USD,
      concurrency: e.LLM_CONCURRENCY,
      timeoutMs: e.LLM_TIMEOUT_MS,
      cacheTtlSeconds: e.LLM_CACHE_TTL_SECONDS,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.ALERT_EMAIL_FROM,
      to: e.ALERT_EMAIL_TO,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      throttleSeconds: e.NOTIFY_THROTTLE_SECONDS,
      groupWaitMs: e.NOTIFY_GROUP_WAIT_MS,
    },
    tmdb: { apiKey: e.TMDB_API_KEY, bearerToken: e.TMDB_BEARER_TOKEN },
    dlq: { retryBaseMs: e.DLQ_RETRY_BASE_MS, retryMax: e.DLQ_RETRY_MAX, retryEveryMs: e.DLQ_RETRY_EVERY_MS, keepResolvedDays: e.DLQ_KEEP_RESOLVED_DAYS },
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLockMs: e.WORKER_LOCK_MS,
    workerStalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    env: Object.freeze({ ...env }),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
