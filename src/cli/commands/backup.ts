/** `dataops backup [--keep N] [--list]`: archive the data directory now (same as the daily job). */
import type { Command } from 'commander';
import path from 'node:path';
import { BACKUP_DIR, createBackup, listBackups } from '../../ops/backup';
import { positiveInt, withCliResources } from '../../ops/cli-resources';
import { loadOpsConfig } from '../../ops/ops-config';

/** Add the `backup` command. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('archive DATA_DIR (without redis/, backups/, .tmp/) to DATA_DIR/backups/<YYYYMMDD_HHMMSS>.tar.gz with a .sha256, keeping the newest N')
    .option('--keep <n>', 'backups to keep (default: backups.keep in resources/retention.yaml, else 7)', positiveInt)
    .option('--list', 'list existing backups instead')
    .option('--json', 'print JSON')
    .action(async (opts: { keep?: number; list?: boolean; json?: boolean }) => {
      await withCliResources(async (res) => {
        const dir = path.join(res.config.dataDir, BACKUP_DIR);
        if (opts.list) {
          const names = await listBackups(dir);
          if (opts.json) console.log(JSON.stringify(names.map((n) => path.join(dir, n)), null, 2));
          else console.log(names.length ? names.map((n) => path.join(dir, n)).join('\n') : `no backups in ${dir}`);
          return;
        }
        const keep = opts.keep ?? (await loadOpsConfig(res.config.resourcesDir)).backups.keep;
        const r = await createBackup(res, { keep });
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`backup written: ${r.file} (${r.bytes} bytes, ${r.durationMs} ms)`);
          console.log(`sha256: ${r.sha256} (in ${r.file}.sha256)`);
          if (r.pruned.length) console.log(`removed ${r.pruned.length} older backup(s), keeping ${keep}`);
        }
      });
    });
}
