/**
 * The retry ladder for one batch: try the batch, then the rows the model
 * answered badly one by one, then mark what is left failed with the reason.
 */
import { backoffMs, sleep } from './sleep';
import type { PromptItem } from './prompt';
import type { Sender } from './sender';
import type { LlmTuning } from './types';

/** A unit of work: one distinct rendered prompt (duplicates in a chunk share it). */
export interface Unit {
  rendered: string;
  /** Row ids using this text, for error messages. */
  rowIds: number[];
}

/** The result for one unit. */
export type UnitResult = { ok: true; text: string; model: string } | { ok: false; error: string };

/** Why a unit is still bad: last reason, tries made, no point retrying, and whether only transport failed it (the model never answered it badly). */
interface Failure {
  reason: string;
  tries: number;
  fatal: boolean;
  transport: boolean;
}

/** Runs batches through a {@link Sender} with retries. */
export class LlmEngine {
  constructor(
    private readonly sender: Sender,
    private readonly tuning: LlmTuning,
  ) {}

  /**
   * Clean some units. The batch is tried `batchAttempts` times. Rows the model
   * answered badly are then tried alone (`singleAttempts` each); rows that only
   * met transport errors get `singleAttempts` more tries together, since
   * splitting cannot fix a server that is down. Then they fail with the reason.
   */
  async run(units: Unit[], signal: AbortSignal): Promise<UnitResult[]> {
    const results: (UnitResult | undefined)[] = new Array(units.length);
    const left = await this.attempts(units, units.map((_u, i) => i), this.tuning.batchAttempts, results, signal);
    const transport = [...left].filter(([, f]) => f.transport && !f.fatal).map(([i]) => i);
    const groups: number[][] = transport.length ? [transport] : [];
    for (const [i, f] of left) if (!f.transport && !f.fatal && units.length > 1) groups.push([i]);
    const final = new Map([...left].filter(([, f]) => f.fatal || (!f.transport && units.length === 1)));
    for (const g of groups) {
      const again = await this.attempts(units, g, this.tuning.singleAttempts, results, signal);
      for (const i of g) {
        const f = again.get(i);
        if (f) final.set(i, f.tries ? { ...f, tries: f.tries + left.get(i)!.tries } : left.get(i)!);
        else if (!results[i]) final.set(i, left.get(i)!);
      }
    }
    for (const [i, f] of final) {
      const what = f.reason === 'reply missing id' ? `reply missing id ${units[i]!.rowIds[0]}` : f.reason;
      results[i] = { ok: false, error: `llm: ${what} after ${f.tries} attempt${f.tries === 1 ? '' : 's'}` };
    }
    return results as UnitResult[];
  }

  /**
   * Try `idx` up to `max` times; fills `results` for good units and returns the
   * bad ones with the last reason, the tries made, and whether retrying is pointless.
   */
  private async attempts(
    units: Unit[],
    idx: number[],
    max: number,
    results: (UnitResult | undefined)[],
    signal: AbortSignal,
  ): Promise<Map<number, Failure>> {
    let pending = idx;
    const reasons = new Map<number, string>();
    // Units the model answered badly in ANY attempt: splitting them can help, whatever the last attempt's failure was.
    const badReply = new Set<number>();
    let tries = 0;
    for (let attempt = 0; attempt < max && pending.length; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt - 1, this.tuning.backoffBaseMs, this.tuning.backoffMaxMs), signal);
      const items: PromptItem[] = pending.map((u, k) => ({ id: k, text: units[u]!.rendered }));
      const r = await this.sender.send(items, signal);
      tries++;
      if (r.kind === 'error') {
        if (!r.retry) return new Map(pending.map((u) => [u, { reason: r.reason, tries, fatal: true, transport: true }]));
        for (const u of pending) reasons.set(u, r.reason);
        continue;
      }
      const next: number[] = [];
      pending.forEach((u, k) => {
        const text = r.good.get(k);
        if (text !== undefined) results[u] = { ok: true, text, model: r.model };
        else {
          reasons.set(u, r.bad.get(k) ?? 'reply missing id');
          badReply.add(u);
          next.push(u);
        }
      });
      pending = next;
    }
    return new Map(pending.map((u) => [u, { reason: reasons.get(u)!, tries, fatal: false, transport: !badReply.has(u) }]));
  }
}
