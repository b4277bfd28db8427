/**
 * `dataops restore <file> [--target dir] [--force]`: verify a backup's sha256
 * and entries, then extract it. Restoring into the live DATA_DIR is refused
 * while workers are connected (stop them first, or pass --force); afterwards
 * the catalog index is rebuilt from the restored sidecars.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { ALL_QUEUES } from '../../../queues/names';
import type { Resources } from '../../context';
import { withCliResources } from '../../ops/cli-resources';
import { restoreBackup } from '../../ops/restore';

async function connectedWorkers(res: Resources): Promise<number | undefined> {
  try {
    const lists = await Promise.all(ALL_QUEUES.map((q) => res.queues[q].getWorkers()));
    return lists.reduce((n, l) => n + l.length, 0);
  } catch {
    return undefined;
  }
}

/** Add the `restore` command. */
export function registerRestore(program: Command): void {
  program
    .command('restore <file>')
    .description('verify a backup (sha256 and entry paths) and extract it into DATA_DIR (or --target); stop workers first')
    .option('--target <dir>', 'extract here instead of DATA_DIR')
    .option('--force', 'restore into DATA_DIR even while workers are connected')
    .option('--no-reindex', 'do not rebuild the catalog index afterwards')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { target?: string; force?: boolean; reindex: boolean; json?: boolean }) => {
      const code = await withCliResources(async (res) => {
        const intoLive = !opts.target || path.resolve(opts.target) === res.config.dataDir;
        if (intoLive && !opts.force) {
          const n = await connectedWorkers(res);
          if (n) {
            console.error(`refusing to restore into ${res.config.dataDir}: ${n} worker connection(s) are active. Stop the workers (docker compose stop worker api), or pass --force.`);
            return 3;
          }
        }
        const r = await restoreBackup(res, file, { target: opts.target });
        const reindex = intoLive && opts.reindex ? await res.catalog.rebuild() : undefined;
        if (opts.json) console.log(JSON.stringify({ ...r, reindexed: reindex?.indexed, reindexErrors: reindex?.errors.length }, null, 2));
        else {
          console.log(`verified sha256 ${r.sha256}`);
          console.log(`restored ${r.entries} entries from ${r.file} into ${r.target}`);
          if (reindex) console.log(`catalog rebuilt: ${reindex.indexed} entries${reindex.errors.length ? `, ${reindex.errors.length} sidecar error(s)` : ''}`);
        }
        return 0;
      });
      process.exitCode = code;
    });
}
