/**
 * Circuit breaker per model, shared through Redis by every process.
 *
 * closed → (threshold consecutive failures) → open for a cool-down → half_open:
 * exactly one caller gets a probe lease; its success closes the breaker, its
 * failure opens it again. State is one hash per model, changed only by Lua so
 * concurrent workers agree.
 */
import type { Redis } from 'ioredis';
import { lua, LUA_NOW, runScript } from './lua';

/** A breaker's state as shown in metrics and run status. */
export type BreakerState = 'closed' | 'open' | 'half_open';

// Returns {decision, msLeft}: decision 0 = call, 1 = call as the half-open probe, 2 = blocked.
const ENTER = lua(`${LUA_NOW}
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil == 0 then return {0, 0} end
if now < openUntil then return {2, openUntil - now} end
local probeUntil = tonumber(redis.call('HGET', KEYS[1], 'probeUntil') or '0')
if probeUntil > now then return {2, math.min(probeUntil - now, 250)} end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[1]))
return {1, 0}`);

// Returns 1 when this success closed an open/half-open breaker.
const SUCCESS = lua(`local was = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
redis.call('DEL', KEYS[1])
if was > 0 then return 1 end
return 0`);

// Returns {opened (0/1), failures}.
const FAILURE = lua(`${LUA_NOW}
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
local cooldown = tonumber(ARGV[2])
redis.call('PEXPIRE', KEYS[1], cooldown * 4 + 3600000)
if openUntil > 0 and now >= openUntil then
  redis.call('HSET', KEYS[1], 'openUntil', now + cooldown, 'probeUntil', 0)
  return {1, failures}
end
if openUntil == 0 and failures >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'openUntil', now + cooldown, 'probeUntil', 0)
  return {1, failures}
end
return {0, failures}`);

const key = (keyPrefix: string, model: string): string => `${keyPrefix}:breaker:${model}`;

/** What a caller may do with a model right now. */
export type BreakerDecision = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number };

/** The breakers of all models under one key prefix. */
export class CircuitBreaker {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly threshold: number,
    private readonly cooldownMs: number,
    /** How long a half-open probe may take before another caller may probe. */
    private readonly probeLeaseMs: number,
  ) {}

  /** Ask before calling `model`. */
  async enter(model: string): Promise<BreakerDecision> {
    const [d, ms] = (await runScript(this.redis, ENTER, [key(this.keyPrefix, model)], [this.probeLeaseMs])) as [number, number];
    return d === 2 ? { allowed: false, retryInMs: Math.max(1, ms) } : { allowed: true, probe: d === 1 };
  }

  /** Record a success. Resolves true when it closed the breaker. */
  async success(model: string): Promise<boolean> {
    return Number(await runScript(this.redis, SUCCESS, [key(this.keyPrefix, model)], [])) === 1;
  }

  /** Record a failure. Resolves with whether it (re)opened the breaker, and the failure streak. */
  async failure(model: string): Promise<{ opened: boolean; failures: number }> {
    const [opened, failures] = (await runScript(this.redis, FAILURE, [key(this.keyPrefix, model)], [this.threshold, this.cooldownMs])) as [
      number,
      number,
    ];
    return { opened: opened === 1, failures };
  }
}

/** The breaker state of `model` (for metrics and run status). */
export async function breakerState(redis: Redis, keyPrefix: string, model: string): Promise<BreakerState> {
  const [h, t] = await Promise.all([redis.hmget(key(keyPrefix, model), 'openUntil'), redis.time()]);
  const openUntil = Number(h[0] ?? 0);
  if (!openUntil) return 'closed';
  const now = Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000);
  return now < openUntil ? 'open' : 'half_open';
}
