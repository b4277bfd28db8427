/**
 * `dataops restore <file> [--target dir] [--force]`: verify a backup's sha256
 * and entries, then write its objects back into the data store (local or S3),
 * or into a local directory with --target. Restoring into the live store is
 * refused while workers are connected (stop them first, or pass --force);
 * afterwards the catalog index is rebuilt from the restored sidecars.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { ALL_QUEUES } from '../../../queues/names';
import type { Resources } from '../../context';
import { withCliResources } from '../../ops/cli-resources';
import { storeRoot } from '../../ops/backup';
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
    .description('verify a backup (a local path, or a name in backups/ of the data store) by sha256 and entry paths, then restore it into the data store (or --target); stop workers first')
    .option('--target <dir>', 'restore into this local directory instead of the data store')
    .option('--force', 'restore into the live data store even while workers are connected')
    .option('--no-reindex', 'do not rebuild the catalog index afterwards')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { target?: string; force?: boolean; reindex: boolean; json?: boolean }) => {
      const code = await withCliResources(async (res) => {
        // --target naming the live local data dir is the live store, not an inspection copy.
        const target = opts.target && !(res.store.kind === 'local' && path.resolve(opts.target) === res.config.dataDir) ? opts.target : undefined;
        if (!target && !opts.force) {
          const n = await connectedWorkers(res);
          if (n) {
            console.error(`refusing to restore into ${storeRoot(res.store)}: ${n} worker connection(s) are active. Stop the workers (docker compose stop worker api), or pass --force.`);
            return 3;
          }
        }
        const r = await restoreBackup(res, file, { target, reindex: opts.reindex });
        if (opts.json) console.log(JSON.stringify({ ...r, reindexed: r.reindexed?.indexed, reindexErrors: r.reindexed?.errors }, null, 2));
        else {
          console.log(`verified sha256 ${r.sha256}`);
          console.log(`restored ${r.entries} objects from ${r.file} into ${r.target}${r.skipped ? ` (${r.skipped} entries under excluded prefixes left out)` : ''}`);
          if (r.reindexed) console.log(`catalog rebuilt: ${r.reindexed.indexed} entries${r.reindexed.errors ? `, ${r.reindexed.errors} sidecar error(s)` : ''}`);
        }
        return 0;
      });
      process.exitCode = code;
    });
}
