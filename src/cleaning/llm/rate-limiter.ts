/**
 * Cluster-wide rate limit for LLM requests, shared through Redis by every process.
 *
 * Requests/s is a sliding-window log (a sorted set with one entry per request).
 * What must stay under the limit is the server's count, by arrival time, and a
 * request may reach the server well after its grant (process start, new
 * connections, TLS, a busy event loop). So a granted slot is held "in flight"
 * until the response, then dated at an upper bound of its arrival: the response
 * time minus the server's `openai-processing-ms` when it sends one, else the
 * response time. A new permit is granted only when fewer than `maxRps` slots
 * are in flight or dated within the last window; hence any window of that width
 * at the server holds at most `maxRps` arrivals. Tokens/min is a sliding window too: a
 * sorted set of `(member:tokens)` plus a running total, trimmed as entries age
 * out. A "cool-down until" key (set on 429 or on exhausted x-ratelimit headers)
 * pauses every process. Each check is one atomic Lua script on the Redis clock;
 * the script answers how long to wait and callers sleep exactly that long.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { lua, LUA_NOW, runScript } from './lua';
import { sleep } from './sleep';

const ACQUIRE = lua(`${LUA_NOW}
local cd = tonumber(redis.call('GET', KEYS[4]) or '0')
if cd > now then return {cd - now, 1} end
local maxRps = tonumber(ARGV[1]); local win = tonumber(ARGV[2])
local maxTpm = tonumber(ARGV[3]); local tokens = tonumber(ARGV[4]); local id = ARGV[5]
local lease = tonumber(ARGV[6])
if maxRps > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
  if redis.call('ZCARD', KEYS[1]) >= maxRps then
    local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
    -- All slots in flight: nobody knows when one ends, so check again shortly.
    if oldest > now then return {tonumber(ARGV[7]), 2} end
    return {math.max(1, oldest + win - now + 1), 2}
  end
end
if maxTpm > 0 then
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
  if #expired > 0 then
    local freed = 0
    for _, m in ipairs(expired) do freed = freed + tonumber(string.match(m, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
    redis.call('DECRBY', KEYS[3], freed)
  end
  local total = tonumber(redis.call('GET', KEYS[3]) or '0')
  if total < 0 or redis.call('ZCARD', KEYS[2]) == 0 then total = 0; redis.call('SET', KEYS[3], 0) end
  if total > 0 and total + tokens > maxTpm then
    local need = total + tokens - maxTpm
    local items = redis.call('ZRANGE', KEYS[2], 0, 199, 'WITHSCORES')
    local freed = 0; local at = now + 60000
    for i = 1, #items, 2 do
      freed = freed + tonumber(string.match(items[i], ':(%d+)$'))
      at = tonumber(items[i + 1]) + 60000
      if freed >= need then break end
    end
    return {math.max(1, at - now + 1), 3}
  end
end
if maxRps > 0 then
  redis.call('ZADD', KEYS[1], now + lease, id)
  redis.call('PEXPIRE', KEYS[1], lease + win * 2)
end
if maxTpm > 0 then
  redis.call('ZADD', KEYS[2], now, id .. ':' .. tokens)
  redis.call('INCRBY', KEYS[3], tokens)
  redis.call('PEXPIRE', KEYS[2], 61000)
  redis.call('PEXPIRE', KEYS[3], 61000)
end
return {0, 0}`);

// Replace an estimate by the real count, keeping the grant time.
const CORRECT = lua(`local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], score, ARGV[2])
redis.call('INCRBY', KEYS[2], tonumber(ARGV[3]))
return 1`);

// Date a finished request's slot at an upper bound of its arrival at the server (never before its grant).
const RELEASE = lua(`${LUA_NOW}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local granted = tonumber(score) - tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', math.max(granted, now - tonumber(ARGV[3])), ARGV[1])
return 1`);

const COOL_DOWN = lua(`${LUA_NOW}
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return math.max(untilMs, cur) - now`);

/** Why a permit was refused: 1 cool-down, 2 requests/s, 3 tokens/min. */
export type WaitReason = 'cooldown' | 'rps' | 'tpm';
const REASONS: Record<number, WaitReason> = { 1: 'cooldown', 2: 'rps', 3: 'tpm' };

/** A granted permit; pass it to {@link RateLimiter.correct} once the real token count is known. */
export interface Permit {
  /** Member in the requests set, or null without a requests/s limit. */
  slot: string | null;
  /** Member in the tokens set, or null without a tokens/min limit. */
  member: string | null;
  tokens: number;
}

/** Limits and keys of one {@link RateLimiter}. */
export interface RateLimiterOptions {
  keyPrefix: string;
  /** Requests per second across the cluster; undefined = unlimited. */
  maxRps?: number;
  /** Tokens per minute across the cluster; undefined = unlimited. */
  maxTpm?: number;
  /** Extra width of the requests window in ms (see LlmTuning.rpsWindowMarginMs). */
  windowMarginMs?: number;
  /** Longest a request can be in flight (the client timeout); its slot is freed after this even without release. */
  leaseMs?: number;
  /** Re-check interval while every slot is in flight. Default 20 ms. */
  pollMs?: number;
}

/** The shared limiter; cheap to create, state lives in Redis. */
export class RateLimiter {
  private readonly keys: { rps: string; tpm: string; tpmTotal: string; cooldown: string };
  private readonly idBase = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(private readonly redis: Redis, private readonly opts: RateLimiterOptions) {
    const p = `${opts.keyPrefix}:rl`;
    this.keys = { rps: `${p}:rps`, tpm: `${p}:tpm`, tpmTotal: `${p}:tpm-total`, cooldown: `${p}:cooldown` };
  }

  /** Ask once. Returns 0 when granted (the permit is recorded), else ms to wait and why. */
  async tryAcquire(tokens: number): Promise<{ waitMs: number; reason?: WaitReason; permit?: Permit }> {
    const maxRps = this.opts.maxRps ? Math.max(1, Math.floor(this.opts.maxRps)) : 0;
    const maxTpm = this.opts.maxTpm ? Math.floor(this.opts.maxTpm) : 0;
    const t = Math.max(1, Math.min(Math.ceil(tokens), maxTpm || Number.MAX_SAFE_INTEGER));
    const id = `${this.idBase}-${this.seq++}`;
    const win = 1000 + (this.opts.windowMarginMs ?? 10);
    const keys = [this.keys.rps, this.keys.tpm, this.keys.tpmTotal, this.keys.cooldown];
    const args = [maxRps, win, maxTpm, t, id, this.lease, this.opts.pollMs ?? 20];
    const [waitMs, code] = (await runScript(this.redis, ACQUIRE, keys, args)) as [number, number];
    if (waitMs > 0) return { waitMs, reason: REASONS[code] };
    return { waitMs: 0, permit: { slot: maxRps ? id : null, member: maxTpm ? `${id}:${t}` : null, tokens: t } };
  }

  /** Wait (sleeping as long as the script says) until a permit is granted. */
  async acquire(tokens: number, signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      const r = await this.tryAcquire(tokens);
      if (r.permit) return r.permit;
      // A little jitter so waiters woken together do not collide on the same slot.
      await sleep(r.waitMs + Math.floor(Math.random() * 5), signal);
    }
  }

  /**
   * The request of `permit` has ended (answered or not). `processingMs` is the
   * server's own processing time, from `openai-processing-ms`, when known.
   */
  async release(permit: Permit, processingMs = 0): Promise<void> {
    if (!permit.slot) return;
    const p = Number.isFinite(processingMs) && processingMs > 0 ? Math.floor(processingMs) : 0;
    await runScript(this.redis, RELEASE, [this.keys.rps], [permit.slot, this.lease, p]);
  }

  private get lease(): number {
    return Math.max(1000, Math.ceil(this.opts.leaseMs ?? 120_000));
  }

  /** Replace a permit's estimated tokens by the real count from `usage`. */
  async correct(permit: Permit, actualTokens: number): Promise<void> {
    if (!permit.member) return;
    const actual = Math.max(0, Math.round(actualTokens));
    const delta = actual - permit.tokens;
    if (delta === 0) return;
    const id = permit.member.slice(0, permit.member.lastIndexOf(':'));
    await runScript(this.redis, CORRECT, [this.keys.tpm, this.keys.tpmTotal], [permit.member, `${id}:${actual}`, delta]);
  }

  /** Pause every process for `ms` (extends, never shortens, a pause in force). Returns the pause left. */
  async coolDown(ms: number): Promise<number> {
    return Number(await runScript(this.redis, COOL_DOWN, [this.keys.cooldown], [Math.max(1, Math.ceil(ms))]));
  }

  /** Ms left of the cluster-wide pause (0 if none). */
  async coolDownLeft(): Promise<number> {
    const [v, t] = await Promise.all([this.redis.get(this.keys.cooldown), this.redis.time()]);
    const now = Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000);
    return v ? Math.max(0, Number(v) - now) : 0;
  }
}
