/**
 * Resources for one CLI command: parse the environment (a bad value exits 2
 * with the message naming the variable), run the command, close connections.
 */
import { InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config';
import { createResources, type Resources } from '../context';

/** Run `fn` with fresh resources and close them afterwards. */
export async function withCliResources<T>(fn: (res: Resources) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const res = createResources(config);
  try {
    return await fn(res);
  } finally {
    await res.close();
  }
}

/** Commander parser for a positive integer option. */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

