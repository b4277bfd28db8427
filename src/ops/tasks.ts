/**
 * The `backup` and `retention` housekeeping tasks run on the maintenance
 * queue. Each reads resources/retention.yaml afresh and returns a small summary
 * (the job's return value in Bull Board), never long lists.
 */
import type { Job } from 'bullmq';
import type { Resources } from '../context';
import { createBackup } from './backup';
import { checkDisk } from './disk';
import { loadOpsConfig } from './ops-config';
import { applyRetention } from './retention';
import { sweepScratch } from './scratch';

/** Cron of the daily backup. */
export const BACKUP_CRON = '0 3 * * *';
/** Interval of the retention pass (hourly). */
export const RETENTION_EVERY_MS = 3600 * 1000;

/** Housekeeping task: archive the data store (local or S3) and keep the newest `backups.keep`. */
export async function backupTask(res: Resources, job?: Job): Promise<Record<string, unknown>> {
  const cfg = await loadOpsConfig(res.config.resourcesDir);
  const r = await createBackup(res, { keep: cfg.backups.keep });
  await job?.log(`backup ${r.file} (${r.objects} objects, ${r.bytes} bytes, sha256 ${r.sha256}); pruned ${r.pruned.length}`);
  return { file: r.file, objects: r.objects, bytes: r.bytes, sha256: r.sha256, pruned: r.pruned.length, durationMs: r.durationMs };
}

/** Housekeeping task: delete expired files, then check free disk space (raising `disk_low` when low). */
export async function retentionTask(res: Resources, job?: Job): Promise<Record<string, unknown>> {
  const cfg = await loadOpsConfig(res.config.resourcesDir);
  const r = await applyRetention(res, cfg);
  await job?.log(`retention: deleted ${r.deleted.length} objects (${r.bytesFreed} bytes); kept ${r.keptInUse.length} old objects of unfinished runs`);
  const pruned = await res.runs.prune(new Date(Date.now() - cfg.run_records.max_age_days * 24 * 3600_000));
  if (pruned.length) await job?.log(`run records: removed ${pruned.length} finished runs older than ${cfg.run_records.max_age_days} days`);
  const swept = await sweepScratch(res.store);
  if (swept.length) await job?.log(`scratch: removed ${swept.length} abandoned temp files`);
  const disk = await checkDisk(res, cfg.disk);
  await job?.log(`disk: ${disk.freeBytes} bytes free (${(disk.freeRatio * 100).toFixed(1)}%)${disk.low ? ' LOW: disk_low notice raised' : ''}`);
  return { deleted: r.deleted.length, bytesFreed: r.bytesFreed, keptInUse: r.keptInUse.length, sample: r.deleted.slice(0, 20), runRecordsRemoved: pruned.length, scratchRemoved: swept.length, disk };
}
