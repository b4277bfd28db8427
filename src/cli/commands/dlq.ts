/** `dataops dlq list|retry <id>|discard <id>`: the dead-letter queue from the command line. */
import { userInfo } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../../config';
import { createResources, type Resources } from '../../context';
import { DEAD_LETTER_SOURCES, DEAD_LETTER_STATUSES, deadLetterIdSchema, DlqConflictError, listLetters, reconcileLetter, removeLetter, retryLetter, summarize } from '../../dlq';
import { NotFoundError } from '../../errors';

/** How the commands reach Redis and print; tests inject both. */
export interface DlqCommandDeps {
  withResources?: <T>(fn: (res: Resources) => Promise<T>) => Promise<T>;
  out?: (line: string) => void;
  /** Sets the exit code (default: process.exitCode). */
  exit?: (code: number) => void;
}

async function defaultWithResources<T>(fn: (res: Resources) => Promise<T>): Promise<T> {
  let res: Resources;
  try {
    res = createResources(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
  try {
    return await fn(res);
  } finally {
    await res.close();
  }
}

function parseId(v: string): string {
  const r = deadLetterIdSchema.safeParse(v);
  if (!r.success) throw new InvalidArgumentError(r.error.issues[0]!.message);
  return v;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Build the `dlq` command. */
export function dlqCommand(deps: DlqCommandDeps = {}): Command {
  const withResources = deps.withResources ?? defaultWithResources;
  const out = deps.out ?? ((l: string) => console.log(l));
  const exit = deps.exit ?? ((code: number) => void (process.exitCode = code));
  const fail = (err: unknown): void => {
    out(`error: ${(err as Error).message}`);
    // 2 bad input, 3 unknown letter, 4 cannot retry now, 1 anything else.
    exit(err instanceof InvalidArgumentError ? 2 : err instanceof NotFoundError ? 3 : err instanceof DlqConflictError ? 4 : 1);
  };
  const dlq = new Command('dlq').description('dead letters: jobs that exhausted their attempts');

  dlq
    .command('list')
    .description('list dead letters, newest first')
    .option('--run <runId>', 'only this run')
    .addOption(new Option('--queue <queue>', 'only this original queue').choices([...DEAD_LETTER_SOURCES]))
    .addOption(new Option('--status <status>', 'only this status').choices([...DEAD_LETTER_STATUSES]))
    .option('--limit <n>', 'how many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .option('--json', 'print JSON')
    .action(async (o: { run?: string; queue?: (typeof DEAD_LETTER_SOURCES)[number]; status?: (typeof DEAD_LETTER_STATUSES)[number]; limit: number; offset: number; json?: boolean }) => {
      await withResources(async (res) => {
        const page = await listLetters(res, { runId: o.run, queue: o.queue, status: o.status, limit: Math.max(1, o.limit), offset: o.offset });
        const rows = (await Promise.all(page.letters.map((l) => reconcileLetter(res, l)))).map(summarize);
        if (o.json) return out(JSON.stringify({ deadLetters: rows, total: page.total }, null, 2));
        if (!rows.length) return out('no dead letters');
        for (const r of rows) {
          const where = r.chunkIndex !== undefined ? `chunk ${r.chunkIndex}` : `step ${r.step}`;
          out(`${r.id}  ${r.status}  ${r.queue}/${r.jobName}  run ${r.runId} ${where}  attempts ${r.attemptsMade}  retries ${r.retries}  ${r.deadLetteredAt}\n    ${r.error}`);
        }
        out(`${rows.length} of ${page.total}`);
      }).catch(fail);
    });

  dlq
    .command('retry <id>')
    .description('re-enqueue a dead letter into its original place (the run then completes or is re-finalized)')
    .action(async (id: string) => {
      await withResources(async (res) => {
        const r = await retryLetter(res, parseId(id), `cli:${safeUser()}`);
        out(`retrying ${r.letter.id} (${r.retry.action}); follow with: dataops dlq list --run ${r.letter.runId}`);
      }).catch(fail);
    });

  dlq
    .command('discard <id>')
    .description('delete a dead letter for good')
    .action(async (id: string) => {
      await withResources(async (res) => {
        if (!(await removeLetter(res, parseId(id)))) throw new NotFoundError(`no dead letter "${id}"`);
        out(`discarded ${id}`);
      }).catch(fail);
    });
  return dlq;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Register `dataops dlq` (listed in ./index.ts). */
export function registerDlq(program: Command): void {
  program.addCommand(dlqCommand());
}
