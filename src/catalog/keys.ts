/**
 * Redis key layout of the catalog, all under the caller's prefix (e.g. `dataops:catalog`):
 * - `<p>:entry:<key>`          hash: `meta` (the sidecar JSON) plus kind, pipeline, runId, sha256, createdAt
 * - `<p>:z:all`                sorted set of keys by createdAt (ms)
 * - `<p>:z:pipeline:<name>`    … per pipeline
 * - `<p>:z:kind:<kind>`        … per kind
 * - `<p>:z:run:<runId>`        … per run
 * - `<p>:sha:<sha256>`         set of keys with that content
 * - `<p>:uri`                  hash: uri → key (for lookups by absolute path or s3:// URI)
 */
export class CatalogKeys {
  constructor(readonly prefix: string) {}
  entry(key: string): string {
    return `${this.prefix}:entry:${key}`;
  }
  all(): string {
    return `${this.prefix}:z:all`;
  }
  pipeline(name: string): string {
    return `${this.prefix}:z:pipeline:${name}`;
  }
  kind(kind: string): string {
    return `${this.prefix}:z:kind:${kind}`;
  }
  run(runId: string): string {
    return `${this.prefix}:z:run:${runId}`;
  }
  sha(sha: string): string {
    return `${this.prefix}:sha:${sha}`;
  }
  uri(): string {
    return `${this.prefix}:uri`;
  }
  /** SCAN patterns that match every key the catalog owns (and nothing else under the prefix). */
  patterns(): string[] {
    const p = escapeGlob(this.prefix);
    return [`${p}:entry:*`, `${p}:z:*`, `${p}:sha:*`, `${p}:uri`];
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
