/** One chat-completion request through the openai SDK, classified for our retry logic. */
import OpenAI from 'openai';
import type { TaskDef } from '../../resources/schemas';
import { buildMessages, type PromptItem } from './prompt';
import { retryAfterMs, type HeaderBag } from './headers';

/** How one request ended. */
export type CallOutcome =
  | { kind: 'ok'; content: string | null; promptTokens: number; completionTokens: number; headers: HeaderBag }
  /** 429: wait `retryAfterMs` (from the headers, if any) and try again. */
  | { kind: 'rate_limited'; retryAfterMs?: number; headers?: HeaderBag; reason: string }
  /** 5xx, 408, timeouts, connection errors: back off and try again. */
  | { kind: 'transient'; reason: string }
  /** The server refused `response_format`; retry without JSON mode. */
  | { kind: 'json_mode_unsupported'; reason: string }
  /** Other 4xx: retrying the same request cannot help. */
  | { kind: 'fatal'; reason: string };

/** What one request needs. */
export interface CallParams {
  client: OpenAI;
  task: TaskDef;
  model: string;
  items: PromptItem[];
  jsonMode: boolean;
  signal?: AbortSignal;
}

/** Send one request. Rejects only when `signal` aborts. */
export async function callModel(p: CallParams): Promise<CallOutcome> {
  try {
    const { data, response } = await p.client.chat.completions
      .create(
        {
          model: p.model,
          temperature: p.task.temperature,
          max_tokens: p.task.max_tokens,
          messages: buildMessages(p.task, p.items),
          ...(p.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
        },
        { signal: p.signal },
      )
      .withResponse();
    const choice = data.choices?.[0];
    return {
      kind: 'ok',
      content: choice?.message?.content ?? null,
      promptTokens: data.usage?.prompt_tokens ?? 0,
      completionTokens: data.usage?.completion_tokens ?? 0,
      headers: response.headers,
    };
  } catch (err) {
    if (p.signal?.aborted) throw p.signal.reason ?? err;
    return classify(err);
  }
}

function classify(err: unknown): CallOutcome {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'transient', reason: 'request timed out' };
  if (err instanceof OpenAI.APIConnectionError) return { kind: 'transient', reason: `connection error: ${err.message}` };
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const status = err.status;
    const msg = short(err.message.startsWith(String(status)) ? err.message : `${status} ${err.message}`);
    if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(err.headers), headers: err.headers, reason: msg };
    if (status === 408 || status === 409 || status >= 500) return { kind: 'transient', reason: msg };
    if (status === 400 && /response_format|json_object|json mode/i.test(err.message)) return { kind: 'json_mode_unsupported', reason: msg };
    return { kind: 'fatal', reason: msg };
  }
  return { kind: 'transient', reason: short(err instanceof Error ? err.message : String(err)) };
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}
