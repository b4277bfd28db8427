/** `dataops backup [--keep N] [--list]`: archive the data store now (same as the daily job), local or S3. */
import type { Command } from 'commander';
import { BACKUP_DIR, createBackup, listBackups, storeRoot } from '../../ops/backup';
import { positiveInt, withCliResources } from '../../ops/cli-resources';
import { loadOpsConfig } from '../../ops/ops-config';

/** Add the `backup` command. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('archive the data store (DATA_DIR or STORAGE_URL; without redis/, backups/, .tmp/, audit/) to backups/<YYYYMMDD_HHMMSS>.tar.gz in the same store with a .sha256, keeping the newest N')
    .option('--keep <n>', 'backups to keep (default: backups.keep in resources/retention.yaml, else 7)', positiveInt)
    .option('--list', 'list existing backups instead')
    .option('--json', 'print JSON')
    .action(async (opts: { keep?: number; list?: boolean; json?: boolean }) => {
      await withCliResources(async (res) => {
        if (opts.list) {
          const files = (await listBackups(res.store)).map((n) => res.store.uri(`${BACKUP_DIR}/${n}`));
          if (opts.json) console.log(JSON.stringify(files, null, 2));
          else console.log(files.length ? files.join('\n') : `no backups in ${storeRoot(res.store)}/${BACKUP_DIR}`);
          return;
        }
        const keep = opts.keep ?? (await loadOpsConfig(res.config.resourcesDir)).backups.keep;
        const r = await createBackup(res, { keep });
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`backup written: ${r.file} (${r.objects} objects, ${r.bytes} bytes, ${r.durationMs} ms)`);
          console.log(`sha256: ${r.sha256} (in ${r.file}.sha256)`);
          if (r.pruned.length) console.log(`removed ${r.pruned.length} older backup(s), keeping ${keep}`);
        }
      });
    });
}
