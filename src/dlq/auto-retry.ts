/**
 * The scheduled `dlq-retry` task: retries dead letters with exponential
 * backoff per letter (retry n waits base × 2^n after the letter's last
 * failure), up to a maximum, then marks them `exhausted` for a human.
 * It also settles finished retries and drops resolved letters past retention.
 */
import type { Resources } from '../context';
import { retryLetter, reconcileLetter } from './retry';
import { dlqSettings, type DlqSettings } from './settings';
import { allLetterIds, getLetter, putLetter, removeLetter, withRunLock } from './store';
import { DlqConflictError } from './types';

/** Who the scheduled task retries as. */
export const AUTO_RETRY_BY = 'dlq-retry';

/** What one pass did, by letter id. */
export interface AutoRetryReport {
  retried: string[];
  exhausted: string[];
  /** Not due yet, busy, or left for a human. */
  skipped: string[];
  settled: string[];
  removed: string[];
  errors: Array<{ id: string; error: string }>;
}

/** One pass over every letter at time `now`. */
export async function retryDueLetters(res: Resources, now = new Date(), overrides: Partial<DlqSettings> = {}): Promise<AutoRetryReport> {
  const s = dlqSettings(res.config, overrides);
  const report: AutoRetryReport = { retried: [], exhausted: [], skipped: [], settled: [], removed: [], errors: [] };
  const keepMs = s.keepResolvedDays * 24 * 3600_000;
  for (const id of await allLetterIds(res)) {
    let letter = await getLetter(res, id);
    if (!letter) continue;
    if (letter.status === 'retrying') {
      const before = letter.status;
      letter = await reconcileLetter(res, letter);
      if (letter.status !== before) report.settled.push(id);
    }
    if (letter.status === 'resolved') {
      if (letter.resolvedAt && now.getTime() - Date.parse(letter.resolvedAt) > keepMs && (await removeLetter(res, id))) report.removed.push(id);
      continue;
    }
    if (letter.status !== 'dead' || (letter.nextRetryAt && Date.parse(letter.nextRetryAt) > now.getTime())) {
      report.skipped.push(id);
      continue;
    }
    if (letter.autoRetries >= s.maxRetries) {
      const r = await withRunLock(res, letter.runId, 2000, async () => {
        const fresh = await getLetter(res, id);
        if (fresh?.status !== 'dead') return false;
        await putLetter(res, { ...fresh, status: 'exhausted', nextRetryAt: undefined, timestamps: { ...fresh.timestamps, updatedAt: now.toISOString() } });
        return true;
      });
      if (r.locked && r.value) {
        report.exhausted.push(id);
        res.logger.warn('dead letter exhausted its automatic retries; left for a human', { dlqId: id, runId: letter.runId, retries: letter.autoRetries });
      } else report.skipped.push(id);
      continue;
    }
    try {
      // A busy run (conflict) does not use up a retry.
      const out = await retryLetter(res, id, AUTO_RETRY_BY, { automatic: true });
      report.retried.push(out.letter.id);
    } catch (err) {
      if (err instanceof DlqConflictError) report.skipped.push(id);
      else report.errors.push({ id, error: (err as Error).message });
    }
  }
  return report;
}
