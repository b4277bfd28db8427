/** `dataops dlq list|retry|discard` against real Redis and workers (resources injected, output captured). */
import { Command } from 'commander';
import { dlqCommand } from '../../../src/cli/commands/dlq';
import { getLetter } from '../../../src/dlq';
import { startRun } from '../../../src/runs/start-run';
import { createHarness, type Harness } from '../../support/harness';
import { DLQ_PIPELINES, eventually, testRunId } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ extraPipelines: DLQ_PIPELINES });
  h.startWorkers();
});
afterAll(async () => {
  await h?.close();
});

async function cli(...args: string[]): Promise<{ lines: string[]; code: number }> {
  const lines: string[] = [];
  let code = 0;
  const program = new Command().exitOverride();
  program.addCommand(dlqCommand({ withResources: (fn) => fn(h.res), out: (l) => lines.push(l), exit: (c) => (code = c) }));
  await program.parseAsync(['node', 'dataops', 'dlq', ...args]);
  return { lines, code };
}

it('lists, retries and discards dead letters', async () => {
  const runId = testRunId('dlqcli');
  await startRun(h.res, { pipeline: 'dlq_missing', trigger: 'cli', runId });
  const id = `dl-${runId}`;
  await eventually('the dead letter', () => getLetter(h.res, id).then((l) => l ?? undefined));

  const listed = await cli('list', '--run', runId, '--json');
  expect(JSON.parse(listed.lines.join('\n'))).toMatchObject({ total: 1, deadLetters: [{ id, status: 'dead', queue: 'pipeline', step: 'collect' }] });
  const text = await cli('list');
  expect(text.lines.join('\n')).toContain(`${id}  dead  pipeline/run  run ${runId} step collect`);

  const retried = await cli('retry', id);
  expect(retried.code).toBe(0);
  expect(retried.lines[0]).toBe(`retrying ${id} (retry-run); follow with: dataops dlq list --run ${runId}`);
  const after = await eventually('the retry to fail again', () => getLetter(h.res, id).then((l) => (l?.failures === 2 ? l : undefined)));
  expect(after.retries[0]).toMatchObject({ by: expect.stringMatching(/^cli:/), result: 'failed' });

  expect(await cli('discard', id)).toEqual({ lines: [`discarded ${id}`], code: 0 });
  expect(await cli('discard', id)).toEqual({ lines: [`error: no dead letter "${id}"`], code: 3 });
  expect(await getLetter(h.res, id)).toBeNull();
  expect(await cli('retry', 'bad id')).toEqual({ lines: ['error: dead letter ids look like dl-<job id>'], code: 2 });
});
