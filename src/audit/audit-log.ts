/**
 * The audit log: one JSON object per line in `<dir>/audit-YYYY-MM-DD.jsonl`
 * (UTC date of the entry). Files rotate daily; when a new day's file is
 * started, only the newest `keepFiles` files are kept. Every entry is also
 * written through the logger. Entries carry a token id (a fingerprint), never
 * a token.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';

/** What happened to an audited request. */
export type AuditResult = 'ok' | 'refused' | 'failed';

/** One audit record. */
export interface AuditEntry {
  /** ISO time the response finished. */
  time: string;
  /** Role of the caller, or null when no valid token was presented. */
  role: string | null;
  /** Non-secret token fingerprint (`tok_xxxxxxxx`), or null. */
  tokenId: string | null;
  method: string;
  /** The route pattern that matched (e.g. `/api/runs/:runId`), else the path. */
  route: string;
  /** The request path without query string. */
  path: string;
  /** What the request acted on: ids and names taken from the path, body or response. */
  target: Record<string, string>;
  status: number;
  result: AuditResult;
  /** Error code of a refused or failed request (e.g. `forbidden`). */
  reason?: string;
  ip: string;
}

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  /** Folder of the audit files, e.g. `<dataDir>/audit`. */
  dir: string;
  /** Logger that receives every entry too. */
  logger: Logger;
  /** How many daily files to keep. Default 30. */
  keepFiles?: number;
}

const FILE_RE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** Name of the audit file for an ISO time. */
export function auditFileName(isoTime: string): string {
  return `audit-${isoTime.slice(0, 10)}.jsonl`;
}

/** Appends audit entries in order; never throws into the request path. */
export class AuditLog {
  readonly dir: string;
  private readonly logger: Logger;
  private readonly keepFiles: number;
  private chain: Promise<void> = Promise.resolve();
  private currentFile: string | undefined;

  constructor(opts: AuditLogOptions) {
    this.dir = opts.dir;
    this.logger = opts.logger;
    this.keepFiles = Math.max(1, opts.keepFiles ?? 30);
  }

  /** Record an entry (queued; see {@link flush}). */
  record(entry: AuditEntry): void {
    const { tokenId, ...rest } = entry;
    // The logger masks keys that look like "token", so the fingerprint goes out as `actor`.
    const log = entry.result === 'ok' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger);
    log('audit', { audit: { ...rest, actor: tokenId } });
    this.chain = this.chain.then(() => this.append(entry)).catch((err: unknown) => {
      this.logger.error('audit log write failed', { dir: this.dir, error: err });
    });
  }

  /** Resolve once every recorded entry is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** The audit files present, oldest first. */
  async files(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => FILE_RE.test(n)).sort();
  }

  private async append(entry: AuditEntry): Promise<void> {
    const name = auditFileName(entry.time);
    if (name !== this.currentFile) {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o750 });
      this.currentFile = name;
      await this.prune(name);
    }
    await fs.appendFile(path.join(this.dir, name), `${JSON.stringify(entry)}\n`, { mode: 0o640 });
  }

  /** Keep the newest `keepFiles` files, counting the one about to be written. */
  private async prune(current: string): Promise<void> {
    const others = (await this.files()).filter((n) => n !== current && n < current);
    const excess = others.length - (this.keepFiles - 1);
    for (const old of others.slice(0, Math.max(0, excess))) await fs.rm(path.join(this.dir, old), { force: true });
  }
}
