/** Operations: backups, restore, retention, disk checks and their housekeeping tasks. */
export { createBackup, listBackups, pruneBackups, sha256File, backupStamp, storeRoot, BACKUP_EXCLUDES, type BackupOptions, type BackupResult } from './backup';
export { restoreBackup, verifyBackup, checkEntries, resolveBackupSource, type BackupSource, type RestoreOptions, type RestoreResult } from './restore';
export { applyRetention, type RetentionOptions, type RetentionResult } from './retention';
export { sweepScratch, SCRATCH_MAX_AGE_MS } from './scratch';
export { checkDisk, diskStatus, type DiskStatus } from './disk';
export { loadOpsConfig, parseOpsConfig, OPS_CONFIG_FILE, type OpsConfig, type RetentionKind } from './ops-config';
export { backupTask, retentionTask, BACKUP_CRON, RETENTION_EVERY_MS } from './tasks';
