/**
 * Streaming duplicate detection for finalize (drop duplicates while merging)
 * and for the duplicate checks. Keeps 8-byte hashes, never the texts.
 */
import { Hash64Set } from './hash-set';
import { hash64, normalizeForNearDedupe } from './text';

/** Counts kept by a {@link Deduper}. */
export interface DedupeStats {
  /** Non-null texts seen. */
  seen: number;
  /** Exact repeats of an earlier text. */
  duplicates: number;
  /** Texts that differ from every earlier one but match one after normalization (only with `near`). */
  nearDuplicates: number;
}

/** A stateful duplicate detector. */
export interface Deduper {
  /** Record `text` and say whether it repeats an earlier one. Null texts are never duplicates and are not counted. */
  isDuplicate(text: string | null): boolean;
  stats(): DedupeStats;
}

/** What a {@link Deduper} says about one text. */
export type DedupeVerdict = 'new' | 'duplicate' | 'near_duplicate' | 'null';

/** A deduper that also says which kind of duplicate it saw (used by the checks). */
export interface ClassifyingDeduper extends Deduper {
  classify(text: string | null): DedupeVerdict;
}

/**
 * Create a deduper. With `near`, texts equal after NFKC, lower-casing and
 * removing punctuation, symbols and whitespace also count as duplicates
 * (texts that normalize to nothing are compared exactly only).
 * Hash collisions (64-bit) are possible but negligible: ~3e-8 for 1M rows.
 */
export function createDeduper(opts: { near: boolean; expectedRows?: number }): ClassifyingDeduper {
  const exact = new Hash64Set(opts.expectedRows ?? 1024);
  const near = opts.near ? new Hash64Set(opts.expectedRows ?? 1024) : null;
  const s: DedupeStats = { seen: 0, duplicates: 0, nearDuplicates: 0 };
  const classify = (text: string | null): DedupeVerdict => {
    if (text === null || text === undefined) return 'null';
    s.seen++;
    const [lo, hi] = hash64(text);
    const isNew = exact.add(lo, hi);
    let nearNew = true;
    if (near) {
      const norm = normalizeForNearDedupe(text);
      if (norm !== '') {
        const [nlo, nhi] = hash64(norm);
        nearNew = near.add(nlo, nhi);
      }
    }
    if (!isNew) {
      s.duplicates++;
      return 'duplicate';
    }
    if (!nearNew) {
      s.nearDuplicates++;
      return 'near_duplicate';
    }
    return 'new';
  };
  return {
    classify,
    isDuplicate: (text) => {
      const v = classify(text);
      return v === 'duplicate' || v === 'near_duplicate';
    },
    stats: () => ({ ...s }),
  };
}
