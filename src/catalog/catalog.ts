/**
 * The dataset catalog: every file's sidecar indexed in Redis for queries by
 * pipeline, kind, run, date, sha256 and path. Sidecars in the store are the
 * source of truth; {@link Catalog.rebuild} recreates the index from them.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander, Redis } from 'ioredis';
import { NotFoundError, ValidationError, toError } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { readSidecar, sidecarKey } from '../storage/sidecar';
import type { DatasetKind, SidecarMeta } from '../types';
import { CatalogKeys } from './keys';
import { validateSidecar } from './sidecar-schema';

/** Filters of {@link Catalog.query}; all optional, combined with AND. */
export interface CatalogQuery {
  pipeline?: string;
  kind?: DatasetKind;
  runId?: string;
  /** Inclusive lower bound on createdAt. */
  since?: Date;
  /** Inclusive upper bound on createdAt. */
  until?: Date;
  /** Default 100, at most 10 000. */
  limit?: number;
  offset?: number;
}

/** Dependencies of a {@link Catalog}. */
export interface CatalogDeps {
  redis: Redis;
  /** Every key the catalog writes starts with `<keyPrefix>:` (e.g. `dataops:catalog`). */
  keyPrefix: string;
  store: ObjectStore;
}

const SIDECAR_SUFFIX = '.meta.json';
const SHA256 = /^[0-9a-f]{64}$/;
const PAGE = 500;

/** The dataset catalog. */
export class Catalog {
  private readonly redis: Redis;
  private readonly store: ObjectStore;
  private readonly k: CatalogKeys;

  constructor(deps: CatalogDeps) {
    this.redis = deps.redis;
    this.store = deps.store;
    this.k = new CatalogKeys(deps.keyPrefix);
  }

  /**
   * Index one entry (its sidecar is already written). Re-recording a key
   * replaces the old entry and its index memberships.
   * @throws ValidationError naming the bad field.
   */
  async record(meta: SidecarMeta): Promise<void> {
    const m = validateSidecar(meta, meta && typeof meta.key === 'string' ? meta.key : 'sidecar');
    const old = await this.get(m.key).catch(() => null);
    const k = this.k;
    const score = Date.parse(m.createdAt);
    const tx = this.redis.multi();
    if (old) this.unindex(tx, old);
    tx.del(k.entry(m.key));
    tx.hset(k.entry(m.key), { meta: JSON.stringify(m), kind: m.kind, sha256: m.sha256, createdAt: m.createdAt, pipeline: m.pipeline ?? '', runId: m.runId ?? '' });
    tx.zadd(k.all(), score, m.key);
    tx.zadd(k.kind(m.kind), score, m.key);
    if (m.pipeline) tx.zadd(k.pipeline(m.pipeline), score, m.key);
    if (m.runId) tx.zadd(k.run(m.runId), score, m.key);
    tx.sadd(k.sha(m.sha256), m.key);
    tx.hset(k.uri(), m.uri, m.key);
    await execOrThrow(tx);
  }

  /** One entry by storage key, or null. */
  async get(key: string): Promise<SidecarMeta | null> {
    return (await this.getMany([key]))[0] ?? null;
  }

  /** Entries matching every given filter, newest first. */
  async query(filter: CatalogQuery = {}): Promise<SidecarMeta[]> {
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 10_000);
    const offset = Math.max(Math.trunc(filter.offset ?? 0), 0);
    const sets = [filter.runId && this.k.run(filter.runId), filter.pipeline && this.k.pipeline(filter.pipeline), filter.kind && this.k.kind(filter.kind)].filter(
      (s): s is string => typeof s === 'string' && s !== '',
    );
    const primary = sets.shift() ?? this.k.all();
    const max = bound(filter.until, '+inf', 'until');
    const min = bound(filter.since, '-inf', 'since');
    if (sets.length === 0) {
      return this.getMany(await this.redis.zrevrangebyscore(primary, max, min, 'LIMIT', offset, limit));
    }
    // Several filters: walk the most selective set newest first and keep members of the others.
    const keys: string[] = [];
    let skipped = 0;
    for (let from = 0; keys.length < limit; from += PAGE) {
      const page = await this.redis.zrevrangebyscore(primary, max, min, 'LIMIT', from, PAGE);
      if (page.length === 0) break;
      const tx = this.redis.pipeline();
      for (const s of sets) tx.zmscore(s, ...page);
      const scores = (await tx.exec())!.map(([err, v]) => {
        if (err) throw err;
        return v as Array<string | null>;
      });
      for (let i = 0; i < page.length && keys.length < limit; i++) {
        if (!scores.every((col) => col[i] !== null)) continue;
        if (skipped < offset) skipped++;
        else keys.push(page[i]!);
      }
      if (page.length < PAGE) break;
    }
    return this.getMany(keys);
  }

  /** Every entry of a run, newest first. */
  async listRun(runId: string): Promise<SidecarMeta[]> {
    return this.getMany(await this.redis.zrevrange(this.k.run(runId), 0, -1));
  }

  /** Entries whose file has this sha256, newest first. */
  async findBySha256(sha: string): Promise<SidecarMeta[]> {
    const s = sha.trim().toLowerCase();
    if (!SHA256.test(s)) throw new ValidationError('expected 64 hex characters', { field: 'sha256' });
    const found = await this.getMany(await this.redis.smembers(this.k.sha(s)));
    return found.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  /**
   * An entry by storage key (`output/x.csv`), absolute path, `file://` URL,
   * s3:// URI, a path ending in a key (`data/output/x.csv`), or its sidecar's path.
   */
  async findByPath(pathOrUriOrKey: string): Promise<SidecarMeta | null> {
    let s = pathOrUriOrKey.trim();
    if (s.endsWith(SIDECAR_SUFFIX)) s = s.slice(0, -SIDECAR_SUFFIX.length);
    if (s.startsWith('file://')) s = fileURLToPath(s);
    const uris = [s];
    if (!s.includes('://')) uris.push(path.resolve(s));
    for (const uri of uris) {
      const key = await this.redis.hget(this.k.uri(), uri);
      if (key) return this.get(key);
    }
    // Try the string and each shorter suffix after a '/' as a key: /abs/data/output/x.csv → data/output/x.csv → output/x.csv.
    const segments = s.replace(/^[a-z0-9+.-]+:\/\//i, '').split('/').filter((p) => p !== '' && p !== '.');
    const candidates = segments.map((_, i) => segments.slice(i).join('/')).slice(-12);
    const found = await this.getMany(candidates);
    return found.sort((a, b) => b.key.length - a.key.length)[0] ?? null;
  }

  /**
   * Drop the index and re-create it from every `*.meta.json` sidecar in the
   * store. Sidecars that are invalid, or whose data file is gone, are reported
   * in `errors` and left out. Entries recorded while this runs may be lost; run it when idle.
   */
  async rebuild(): Promise<{ indexed: number; errors: Array<{ key: string; error: string }> }> {
    await this.clear();
    const errors: Array<{ key: string; error: string }> = [];
    let indexed = 0;
    const batch: string[] = [];
    const flush = async () => {
      const results = await Promise.allSettled(batch.map((k) => this.reindexOne(k)));
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') indexed++;
        else errors.push({ key: batch[i]!, error: toError(r.reason).message });
      });
      batch.length = 0;
    };
    for await (const info of this.store.list('')) {
      if (!info.key.endsWith(SIDECAR_SUFFIX)) continue;
      batch.push(info.key);
      if (batch.length >= 16) await flush();
    }
    await flush();
    return { indexed, errors };
  }

  /**
   * Re-hash a file and compare with its recorded sha256 (catalog entry, else sidecar).
   * A missing file gives `ok: false` and `actual: ''`.
   * @throws NotFoundError when neither the catalog nor a sidecar knows the file.
   */
  async verify(key: string): Promise<{ ok: boolean; expected: string; actual: string }> {
    const meta = (await this.get(key)) ?? (await this.findByPath(key)) ?? (await readSidecar(this.store, key).catch(() => null));
    if (!meta) throw new NotFoundError(`no catalog entry or sidecar for "${key}"`);
    const actual = await this.hashObject(meta.key);
    return { ok: actual === meta.sha256, expected: meta.sha256, actual };
  }

  private async reindexOne(sidecar: string): Promise<void> {
    const dataKey = sidecar.slice(0, -SIDECAR_SUFFIX.length);
    const found = await readSidecar(this.store, dataKey);
    if (!found) throw new NotFoundError(`sidecar ${sidecar} disappeared during the rebuild`);
    const meta = validateSidecar(found, this.store.uri(sidecarKey(dataKey)));
    if (meta.key !== dataKey) throw new ValidationError(`says "${meta.key}" but belongs to "${dataKey}"`, { file: this.store.uri(sidecar), field: 'key' });
    if (!(await this.store.stat(dataKey))) throw new NotFoundError(`data file ${dataKey} of sidecar ${sidecar} is missing`);
    // The data root may have moved since the sidecar was written.
    await this.record({ ...meta, uri: this.store.uri(dataKey) });
  }

  private async hashObject(key: string): Promise<string> {
    let stream;
    try {
      stream = await this.store.createReadStream(key);
    } catch (err) {
      if (err instanceof NotFoundError) return '';
      throw err;
    }
    const h = createHash('sha256');
    for await (const chunk of stream) h.update(chunk as Buffer);
    return h.digest('hex');
  }

  /** Remove a dataset's entry (its file was deleted, e.g. by retention). Returns false if it was not indexed. */
  async forget(key: string): Promise<boolean> {
    const old = await this.get(key);
    if (!old) return false;
    const tx = this.redis.multi();
    this.unindex(tx, old);
    tx.del(this.k.entry(key));
    await execOrThrow(tx);
    return true;
  }

  private unindex(tx: ChainableCommander, old: SidecarMeta): void {
    const k = this.k;
    tx.zrem(k.all(), old.key);
    tx.zrem(k.kind(old.kind), old.key);
    if (old.pipeline) tx.zrem(k.pipeline(old.pipeline), old.key);
    if (old.runId) tx.zrem(k.run(old.runId), old.key);
    tx.srem(k.sha(old.sha256), old.key);
    tx.hdel(k.uri(), old.uri);
  }

  private async getMany(keys: string[]): Promise<SidecarMeta[]> {
    if (keys.length === 0) return [];
    const tx = this.redis.pipeline();
    for (const key of keys) tx.hget(this.k.entry(key), 'meta');
    const out: SidecarMeta[] = [];
    for (const [err, v] of (await tx.exec())!) {
      if (err) throw err;
      if (typeof v === 'string') out.push(JSON.parse(v) as SidecarMeta);
    }
    return out;
  }

  private async clear(): Promise<void> {
    for (const pattern of this.k.patterns()) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await this.redis.unlink(...keys);
      } while (cursor !== '0');
    }
  }
}

function bound(d: Date | undefined, open: string, field: string): number | string {
  if (d === undefined) return open;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new ValidationError('not a valid date', { field });
  return d.getTime();
}

async function execOrThrow(tx: ChainableCommander): Promise<void> {
  const res = await tx.exec();
  if (!res) throw new Error('catalog write was aborted');
  for (const [err] of res) if (err) throw err;
}
