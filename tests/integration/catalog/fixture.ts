/** A temp data root with a fake run's files and sidecars, recorded in a catalog on real Redis. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Catalog } from '../../../src/catalog';
import { LocalObjectStore } from '../../../src/storage/local-store';
import { buildSidecar, putJson, writeSidecar, type SidecarInput } from '../../../src/storage/sidecar';
import { outputKey, partKey, processedKey, rawKey, reportKey } from '../../../src/storage/names';
import type { SidecarMeta } from '../../../src/types';

export interface Env {
  dir: string;
  redis: Redis;
  prefix: string;
  store: LocalObjectStore;
  catalog: Catalog;
  close(): Promise<void>;
}

export async function openEnv(area: string): Promise<Env> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `catalog-${area}-`));
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `test-catalog-${area}-${process.pid}-${Date.now()}`;
  const store = new LocalObjectStore(dir);
  const catalog = new Catalog({ redis, keyPrefix: prefix, store });
  return {
    dir,
    redis,
    prefix,
    store,
    catalog,
    async close() {
      await deleteKeys(redis, prefix);
      await redis.quit();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** All Redis keys under the prefix. */
export async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysOf(redis, prefix);
  if (keys.length) await redis.del(...keys);
}

/** Write a data file and its sidecar (as storage does), then record it. */
export async function put(
  env: Env,
  key: string,
  body: string,
  input: SidecarInput,
  facts: { format: SidecarMeta['format']; rows: number; createdAt?: Date },
): Promise<SidecarMeta> {
  const { bytes, sha256 } = await env.store.putBytes(key, body);
  const meta = buildSidecar(env.store, key, input, { format: facts.format, rows: facts.rows, bytes, sha256, schemaVersion: 1 });
  if (facts.createdAt) meta.createdAt = facts.createdAt.toISOString();
  await writeSidecar(env.store, meta);
  await env.catalog.record(meta);
  return meta;
}

export interface FakeRun {
  runId: string;
  raw: SidecarMeta;
  parts: SidecarMeta[];
  processed: SidecarMeta;
  csv: SidecarMeta;
  report: SidecarMeta;
  all: SidecarMeta[];
}

/** Every file of one run: raw → 2 parts → processed → CSV + report, at `at`. */
export async function fakeRun(env: Env, opts: { runId: string; pipeline: string; source: string; at: Date }): Promise<FakeRun> {
  const { runId, pipeline, source, at } = opts;
  const base = { runId, pipeline, source };
  const t = (s: number) => new Date(at.getTime() + s * 1000);
  const raw = await put(env, rawKey(source, at), `raw ${runId}`, { ...base, kind: 'raw', inputs: [], jobIds: [runId] }, { format: 'parquet', rows: 4, createdAt: t(0) });
  const parts = [];
  for (let i = 0; i < 2; i++) {
    parts.push(
      await put(env, partKey(runId, i), `part ${i} ${runId}`, { ...base, kind: 'part', inputs: [raw.key], jobIds: [`${runId}:chunk:${i}`] }, { format: 'parquet', rows: 2, createdAt: t(1 + i) }),
    );
  }
  const processed = await put(
    env,
    processedKey(pipeline, at),
    `processed ${runId}`,
    { ...base, kind: 'processed', inputs: [raw.key, ...parts.map((p) => p.key)], jobIds: [`${runId}:finalize`] },
    { format: 'parquet', rows: 4, createdAt: t(3) },
  );
  const csv = await put(env, outputKey(`${pipeline}_out`, at), `id,text\n1,${runId}\n`, { ...base, kind: 'output', inputs: [processed.key], jobIds: [`${runId}:finalize`] }, { format: 'csv', rows: 1, createdAt: t(4) });
  const report = await putJson(env.store, reportKey(runId), { runId, score: 1 }, { ...base, kind: 'report', inputs: [processed.key, csv.key] });
  report.createdAt = t(5).toISOString();
  await writeSidecar(env.store, report);
  await env.catalog.record(report);
  return { runId, raw, parts, processed, csv, report, all: [raw, ...parts, processed, csv, report] };
}
