/** Run a Lua script by its sha, loading it on NOSCRIPT (after a Redis restart or on a fresh server). */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script with its sha1, ready for EVALSHA. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** Wrap Lua source for {@link runScript}. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** EVALSHA the script, falling back to EVAL when Redis does not know it yet. */
export async function runScript(redis: Redis, script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

/** Lua snippet: the Redis server clock in ms, so every process shares one clock. */
export const LUA_NOW = `local __t = redis.call('TIME')
local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)`;
