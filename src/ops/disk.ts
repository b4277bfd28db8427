/** Free space of the filesystem holding the data directory, and the `disk_low` notice. */
import { promises as fs } from 'node:fs';
import type { Resources } from '../context';
import { notice } from '../runs/notices';
import type { OpsConfig } from './ops-config';

/** Free space of one filesystem. */
export interface DiskStatus {
  path: string;
  freeBytes: number;
  totalBytes: number;
  /** free / total, 0..1. */
  freeRatio: number;
  /** Below `min_free_percent` or `min_free_mb`. */
  low: boolean;
}

/** Measure free space under `dir` against the thresholds. */
export async function diskStatus(dir: string, limits: OpsConfig['disk']): Promise<DiskStatus> {
  const s = await fs.statfs(dir);
  const freeBytes = Number(s.bavail) * Number(s.bsize);
  const totalBytes = Number(s.blocks) * Number(s.bsize);
  const freeRatio = totalBytes > 0 ? freeBytes / totalBytes : 1;
  const low = freeRatio * 100 < limits.min_free_percent || freeBytes < limits.min_free_mb * 1024 * 1024;
  return { path: dir, freeBytes, totalBytes, freeRatio, low };
}

/** Measure the data dir and raise a `disk_low` notice (grouped and throttled by notify) when space is low. */
export async function checkDisk(res: Resources, limits: OpsConfig['disk']): Promise<DiskStatus> {
  const st = await diskStatus(res.config.dataDir, limits);
  if (st.low) {
    res.logger.warn('disk space low', { path: st.path, freeBytes: st.freeBytes, freeRatio: st.freeRatio });
    await notice(res, {
      kind: 'disk_low',
      step: 'retention',
      path: st.path,
      freeBytes: st.freeBytes,
      freeRatio: Math.round(st.freeRatio * 1000) / 1000,
      details: { totalBytes: st.totalBytes, minFreePercent: limits.min_free_percent, minFreeMb: limits.min_free_mb },
    });
  }
  return st;
}
