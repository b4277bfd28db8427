/**
 * Start the fake OpenAI-compatible server for local trials and benchmarks:
 *   npm run fake-llm -- --port 8089 --latency 200 --fault-ratio 0.1 [--rps-limit 50] [--faults rate_limit,timeout]
 * Then point the system at it: OPENAI_BASE_URL=<printed url> OPENAI_API_KEY=fake
 */
import { Command } from 'commander';
import { ALL_FAULTS, startFakeLlm, type FaultKind } from './fake-llm-server';

async function main(): Promise<void> {
  const opts = new Command('fake-llm')
    .option('--port <n>', 'port on 127.0.0.1', '8089')
    .option('--latency <ms>', 'delay per reply', '0')
    .option('--fault-ratio <r>', 'share of requests with an injected fault (0..1)', '0')
    .option('--faults <kinds>', `comma-separated fault kinds (${ALL_FAULTS.join(', ')})`)
    .option('--rps-limit <n>', "server's own requests/s limit (429 beyond it)")
    .option('--seed <n>', 'seed for fault selection', '42')
    .parse()
    .opts<{ port: string; latency: string; faultRatio: string; faults?: string; rpsLimit?: string; seed: string }>();
  const kinds = opts.faults?.split(',').map((k) => k.trim()) as FaultKind[] | undefined;
  const bad = kinds?.filter((k) => !ALL_FAULTS.includes(k));
  if (bad?.length) throw new Error(`--faults: unknown kind(s) ${bad.join(', ')}; use ${ALL_FAULTS.join(', ')}`);
  const fake = await startFakeLlm({
    port: Number(opts.port),
    latencyMs: Number(opts.latency),
    rpsLimit: opts.rpsLimit ? Number(opts.rpsLimit) : undefined,
    seed: Number(opts.seed),
    faults: { ratio: Number(opts.faultRatio), kinds },
  });
  console.log(`fake LLM listening; use OPENAI_BASE_URL=${fake.url} OPENAI_API_KEY=fake`);
  const stop = (): void => {
    console.log(`requests=${fake.stats.requests} items=${fake.stats.items} tokens=${fake.stats.tokens} max/s=${fake.maxPerSecond()}`);
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
