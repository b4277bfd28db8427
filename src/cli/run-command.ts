/** `dataops run <pipeline> [--wait] [--json]`. */
import { SingleBar, Presets } from 'cli-progress';
import { runStatus } from '../api/routes/runs';
import type { Resources } from '../context';
import type { RunStatus } from '../runs/run-store';
import { startRun } from '../runs/start-run';

/** Options of the run command. */
export interface RunCommandOptions {
  wait?: boolean;
  json?: boolean;
  chunkSize?: number;
  task?: string;
  option?: string[];
}

function parseOptionOverrides(pairs: string[] = []): Record<string, unknown> | undefined {
  if (!pairs.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`--option expects key=value, got "${p}"`);
    const raw = p.slice(eq + 1);
    try {
      out[p.slice(0, eq)] = JSON.parse(raw);
    } catch {
      out[p.slice(0, eq)] = raw;
    }
  }
  return out;
}

/** Start a run and optionally wait for it. Returns the process exit code. */
export async function runCommand(res: Resources, pipeline: string, opts: RunCommandOptions, pollMs = 500): Promise<number> {
  let runId: string;
  try {
    ({ runId } = await startRun(res, {
      pipeline,
      trigger: 'cli',
      overrides: { options: parseOptionOverrides(opts.option), chunk_size: opts.chunkSize, task: opts.task },
    }));
  } catch (err) {
    console.error(`cannot start ${pipeline}: ${(err as Error).message}`);
    return 2;
  }
  if (!opts.wait) {
    console.log(opts.json ? JSON.stringify({ runId }) : `queued run ${runId}`);
    return 0;
  }
  const bar = opts.json || !process.stderr.isTTY ? null : new SingleBar({ format: '{state} |{bar}| {percentage}% | {rows} rows | {runId}', stream: process.stderr }, Presets.shades_classic);
  bar?.start(100, 0, { state: 'queued', rows: 0, runId });
  let status: RunStatus | null = null;
  let lastLine = '';
  const started = Date.now();
  for (;;) {
    status = await runStatus(res, runId);
    if (status) {
      bar?.update(status.progress, { state: status.state.padEnd(10), rows: status.counts.rowsCollected, runId });
      const line = `${status.state} ${status.progress}%`;
      if (!bar && !opts.json && line !== lastLine) console.error(`${runId}: ${line}`);
      lastLine = line;
      if (status.state === 'completed' || status.state === 'failed') break;
      if (status.state === 'queued' && Date.now() - started > 15_000 && Date.now() - started < 15_000 + pollMs) {
        console.error('still queued after 15 s: is a worker running? (npm start, or dataops worker)');
      }
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  bar?.stop();
  if (opts.json) console.log(JSON.stringify(status, null, 2));
  else if (status.state === 'completed') console.log(`run ${runId} completed: ${status.counts.rowsCollected} rows, ${status.counts.rowsFailed} failed\n  csv: ${status.outputs.csv}\n  report: ${status.outputs.report}`);
  else console.error(`run ${runId} failed: ${status.error?.message ?? 'unknown error'}`);
  return status.state === 'completed' ? 0 : 1;
}
