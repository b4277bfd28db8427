/** `dataops catalog [--pipeline p] [--kind k] [--run id] [--limit n] [--json] [--rebuild]`: list datasets. */
import { InvalidArgumentError, type Command } from 'commander';
import { positiveInt, withCliResources } from '../../ops/cli-resources';
import type { DatasetKind } from '../../types';

const KINDS: readonly DatasetKind[] = ['raw', 'part', 'processed', 'output', 'report'];

function parseKind(v: string): DatasetKind {
  if (!(KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown kind "${v}"; kinds: ${KINDS.join(', ')}`);
  return v as DatasetKind;
}

/** Add the `catalog` command. */
export function registerCatalog(program: Command): void {
  program
    .command('catalog')
    .description('list catalog entries (newest first), or rebuild the index from the sidecars with --rebuild')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--kind <kind>', `only this kind (${KINDS.join(', ')})`, parseKind)
    .option('--run <runId>', 'only this run')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'print JSON')
    .option('--rebuild', 'drop the index and re-create it from every *.meta.json sidecar (run when idle)')
    .action(async (opts: { pipeline?: string; kind?: DatasetKind; run?: string; limit: number; json?: boolean; rebuild?: boolean }) => {
      await withCliResources(async (res) => {
        if (opts.rebuild) {
          const r = await res.catalog.rebuild();
          if (opts.json) console.log(JSON.stringify(r, null, 2));
          else {
            console.log(`catalog rebuilt: ${r.indexed} entries`);
            for (const e of r.errors) console.log(`  skipped ${e.key}: ${e.error}`);
          }
          return;
        }
        const entries = await res.catalog.query({ pipeline: opts.pipeline, kind: opts.kind, runId: opts.run, limit: opts.limit });
        if (opts.json) console.log(JSON.stringify(entries, null, 2));
        else if (entries.length === 0) console.log('no catalog entries match');
        else console.table(entries.map((e) => ({ key: e.key, kind: e.kind, pipeline: e.pipeline ?? '', runId: e.runId ?? '', rows: e.rows, bytes: e.bytes, created: e.createdAt })));
      });
    });
}
