/**
 * A fake OpenAI-compatible server for tests and benchmarks: a real node:http
 * server on loopback implementing POST /v1/chat/completions.
 *
 * Contract it expects (the engine's): the last user message is a JSON array of
 * `{id, text}`. It replies with the same ids, each text cleaned by
 * {@link fakeClean}: whitespace runs collapsed to one space, trimmed, first
 * character upper-cased. With `response_format: json_object` the reply is
 * `{"items": [...]}`, otherwise a bare array. It honours prompt injection on
 * purpose: if any item's text contains "ignore previous instructions", the
 * whole reply is `[]`, so tests can show only that row fails.
 *
 * Usage is `ceil(chars / 4)` of the messages and of the reply. Every reply
 * carries `openai-processing-ms` and x-ratelimit-{limit,remaining,reset}-{requests,tokens}; with
 * `rpsLimit` the requests quota is per second (sliding 1 s window) and excess
 * requests get 429 with Retry-After and retry-after-ms. Faults are injected by
 * ratio (seeded, reproducible) or by schedule (the n-th request after
 * `setFaults`). `stats.perSecond` counts arriving requests per epoch second.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the server can inject into one request. */
export type FaultKind = 'rate_limit' | 'server_error' | 'unavailable' | 'timeout' | 'malformed' | 'missing_id' | 'reorder' | 'extra_id' | 'duplicate_id';
/** Every fault kind. */
export const ALL_FAULTS: readonly FaultKind[] = ['rate_limit', 'server_error', 'unavailable', 'timeout', 'malformed', 'missing_id', 'reorder', 'extra_id', 'duplicate_id'];

/** Fault injection settings. */
export interface FakeFaults {
  /** Share of requests (0..1) that get a fault picked from `kinds`. */
  ratio?: number;
  /** Kinds picked at random for `ratio`. Default: all. */
  kinds?: FaultKind[];
  /** The n-th request after setFaults gets schedule[n] (null = none); overrides `ratio` while it lasts. */
  schedule?: (FaultKind | null)[];
  /** Wait announced by injected 429s. Default 50 ms. */
  retryAfterMs?: number;
  /** Models that always answer 500 (for breaker tests). */
  failModels?: string[];
  /** Models that answer 404 "model not found" (a non-retryable error). */
  unknownModels?: string[];
  /** Answer 400 "response_format is not supported" when JSON mode is asked for. */
  rejectJsonMode?: boolean;
}

/** Options of {@link startFakeLlm}. */
export interface FakeLlmOptions {
  /** Delay before each reply. Default 0. */
  latencyMs?: number;
  /** The server's own requests-per-second limit (429 beyond it). Default none. */
  rpsLimit?: number;
  faults?: FakeFaults;
  /** Seed for fault selection. Default 42. */
  seed?: number;
  port?: number;
}

/** What the server saw. */
export interface FakeLlmStats {
  requests: number;
  /** Items (rows) received over all requests. */
  items: number;
  promptTokens: number;
  completionTokens: number;
  tokens: number;
  /** Requests answered 429 because of `rpsLimit`. */
  rateLimited: number;
  /** Arrival time (ms) of every request, in order. */
  arrivals: number[];
  /** Requests per epoch second (Math.floor(Date.now()/1000)). */
  perSecond: Map<number, number>;
  byModel: Map<string, number>;
  faults: Map<FaultKind, number>;
  /** Rendered item texts received, in order (for assertions on prompts). */
  texts: string[];
  /** System messages received, in order. */
  systemMessages: string[];
  /** Requests that asked for JSON mode. */
  jsonModeRequests: number;
}

/** A running fake server. */
export interface FakeLlm {
  /** Base URL for OPENAI_BASE_URL, ending in /v1. */
  url: string;
  stats: FakeLlmStats;
  setFaults(f: FakeFaults | undefined): void;
  /** Highest per-second request count seen. */
  maxPerSecond(): number;
  resetStats(): void;
  close(): Promise<void>;
}

/** The deterministic cleaning rule of the fake server. */
export function fakeClean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Text that makes the fake server reply `[]` for the whole request. */
export const INJECTION_MARKER = /ignore (all )?previous instructions/i;

function emptyStats(): FakeLlmStats {
  return { requests: 0, items: 0, promptTokens: 0, completionTokens: 0, tokens: 0, rateLimited: 0, arrivals: [], perSecond: new Map(), byModel: new Map(), faults: new Map(), texts: [], systemMessages: [], jsonModeRequests: 0 };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  response_format?: { type?: string };
}
type Item = { id: unknown; text: unknown };

/** Start the fake server on 127.0.0.1 (port 0 unless given). */
export async function startFakeLlm(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  const stats = emptyStats();
  const rand = mulberry32(opts.seed ?? 42);
  let faults: FakeFaults = opts.faults ?? {};
  let scheduleAt = 0;
  let seq = 0;
  const window: number[] = [];
  const hanging = new Set<http.ServerResponse>();
  const arrivedAt = new WeakMap<http.ServerResponse, number>();

  const pickFault = (): FaultKind | null => {
    if (faults.schedule && scheduleAt < faults.schedule.length) return faults.schedule[scheduleAt++] ?? null;
    if (!faults.ratio || rand() >= faults.ratio) return null;
    const kinds = faults.kinds?.length ? faults.kinds : ALL_FAULTS;
    return kinds[Math.floor(rand() * kinds.length)]!;
  };

  const quotaHeaders = (now: number): Record<string, string> => {
    const limit = opts.rpsLimit ?? 1_000_000;
    while (window.length && window[0]! <= now - 1000) window.shift();
    const remaining = Math.max(0, limit - window.length);
    const reset = window.length && remaining === 0 ? window[0]! + 1000 - now : 0;
    return {
      'x-ratelimit-limit-requests': String(limit),
      'x-ratelimit-remaining-requests': String(remaining),
      'x-ratelimit-reset-requests': `${reset}ms`,
      'x-ratelimit-limit-tokens': '100000000',
      'x-ratelimit-remaining-tokens': '100000000',
      'x-ratelimit-reset-tokens': '0s',
    };
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'openai-processing-ms': String(Date.now() - (arrivedAt.get(res) ?? Date.now())), ...headers });
    res.end(JSON.stringify(body));
  };
  const apiError = (message: string, type: string) => ({ error: { message, type, param: null, code: null } });

  const handle = async (body: ChatBody, res: http.ServerResponse): Promise<void> => {
    const now = Date.now();
    arrivedAt.set(res, now);
    const sec = Math.floor(now / 1000);
    stats.requests++;
    stats.arrivals.push(now);
    stats.perSecond.set(sec, (stats.perSecond.get(sec) ?? 0) + 1);
    const model = body.model ?? '';
    stats.byModel.set(model, (stats.byModel.get(model) ?? 0) + 1);
    const jsonMode = body.response_format?.type === 'json_object';
    if (jsonMode) stats.jsonModeRequests++;

    while (window.length && window[0]! <= now - 1000) window.shift();
    if (opts.rpsLimit && window.length >= opts.rpsLimit) {
      stats.rateLimited++;
      const wait = window[0]! + 1000 - now;
      return send(res, 429, apiError('Rate limit reached (fake server)', 'requests'), {
        'retry-after': String(Math.ceil(wait / 1000)),
        'retry-after-ms': String(wait),
        ...quotaHeaders(now),
      });
    }
    window.push(now);
    const headers = quotaHeaders(now);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));

    if (faults.rejectJsonMode && jsonMode) {
      return send(res, 400, apiError("Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.", 'invalid_request_error'));
    }
    if (faults.unknownModels?.includes(model)) return send(res, 404, apiError(`The model '${model}' does not exist`, 'invalid_request_error'));
    if (faults.failModels?.includes(model)) return send(res, 500, apiError('model is down (fake)', 'server_error'));
    const fault = pickFault();
    if (fault) stats.faults.set(fault, (stats.faults.get(fault) ?? 0) + 1);
    if (fault === 'rate_limit') {
      const ms = faults.retryAfterMs ?? 50;
      return send(res, 429, apiError('Rate limit reached (injected)', 'requests'), { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms), ...headers });
    }
    if (fault === 'server_error') return send(res, 500, apiError('internal error (injected)', 'server_error'));
    if (fault === 'unavailable') return send(res, 503, apiError('overloaded (injected)', 'server_error'));
    if (fault === 'timeout') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }

    const messages = body.messages ?? [];
    const user = [...messages].reverse().find((m) => m.role === 'user');
    let items: Item[] = [];
    try {
      const parsed: unknown = JSON.parse(typeof user?.content === 'string' ? user.content : '');
      if (Array.isArray(parsed)) items = parsed as Item[];
    } catch {
      items = [];
    }
    for (const m of messages) if (m.role === 'system' && typeof m.content === 'string') stats.systemMessages.push(m.content);
    stats.items += items.length;
    for (const it of items) stats.texts.push(String(it.text));
    let out = items.map((it) => ({ id: it.id, text: fakeClean(String(it.text ?? '')) }));
    if (items.some((it) => INJECTION_MARKER.test(String(it.text)))) out = [];
    if (fault === 'missing_id' && out.length) out.splice(Math.floor(out.length / 2), 1);
    if (fault === 'reorder') out.reverse();
    if (fault === 'extra_id') out.push({ id: 999_999, text: 'Extra' });
    if (fault === 'duplicate_id' && out.length) out.push({ ...out[0]! });
    let content = JSON.stringify(jsonMode ? { items: out } : out);
    if (fault === 'malformed') content = `Sure! Here you go: ${content.slice(0, Math.floor(content.length / 2))}`;

    const promptChars = messages.reduce((s, m) => s + (typeof m.content === 'string' ? m.content.length : 0), 0);
    const prompt = Math.ceil(promptChars / 4);
    const completion = Math.ceil(content.length / 4);
    stats.promptTokens += prompt;
    stats.completionTokens += completion;
    stats.tokens += prompt + completion;
    send(
      res,
      200,
      {
        id: `chatcmpl-fake-${++seq}`,
        object: 'chat.completion',
        created: Math.floor(now / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      },
      headers,
    );
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return send(res, 404, apiError(`no route ${req.method} ${req.url}`, 'invalid_request_error'));
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: ChatBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatBody;
      } catch {
        return send(res, 400, apiError('body is not JSON', 'invalid_request_error'));
      }
      handle(body, res).catch((err: unknown) => send(res, 500, apiError(String(err), 'server_error')));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    setFaults(f) {
      faults = f ?? {};
      scheduleAt = 0;
    },
    maxPerSecond: () => Math.max(0, ...stats.perSecond.values()),
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
