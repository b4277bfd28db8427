/**
 * `<file>.meta.json` sidecars: rows, bytes, sha256, schema version, created at,
 * run id and inputs (lineage) of every data file. A sidecar is written after its
 * data file, so a sidecar's presence means the data file is complete.
 */
import { NotFoundError, ValidationError } from '../errors';
import type { SidecarMeta } from '../types';
import type { ObjectStore } from './object-store';

/** The sidecar fields the caller knows; the storage layer fills in the rest. */
export type SidecarInput = Pick<SidecarMeta, 'kind' | 'inputs'> & Partial<Pick<SidecarMeta, 'runId' | 'pipeline' | 'source' | 'jobIds'>>;

/** Key of the sidecar of `key`. */
export function sidecarKey(key: string): string {
  return `${key}.meta.json`;
}

/** Assemble a full {@link SidecarMeta}. */
export function buildSidecar(
  store: ObjectStore,
  key: string,
  input: SidecarInput,
  facts: { format: SidecarMeta['format']; rows: number; bytes: number; sha256: string; schemaVersion: number },
): SidecarMeta {
  const meta: SidecarMeta = {
    key,
    uri: store.uri(key),
    kind: input.kind,
    format: facts.format,
    rows: facts.rows,
    bytes: facts.bytes,
    sha256: facts.sha256,
    schemaVersion: facts.schemaVersion,
    createdAt: new Date().toISOString(),
    inputs: [...(input.inputs ?? [])],
  };
  if (input.runId !== undefined) meta.runId = input.runId;
  if (input.pipeline !== undefined) meta.pipeline = input.pipeline;
  if (input.source !== undefined) meta.source = input.source;
  if (input.jobIds !== undefined) meta.jobIds = [...input.jobIds];
  return meta;
}

/** Write the sidecar of `meta.key` atomically. */
export async function writeSidecar(store: ObjectStore, meta: SidecarMeta): Promise<void> {
  await store.putBytes(sidecarKey(meta.key), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * Read the sidecar of a data file `key`, or null if it has none.
 * @throws ValidationError naming the sidecar when it is not valid JSON.
 */
export async function readSidecar(store: ObjectStore, key: string): Promise<SidecarMeta | null> {
  const sk = sidecarKey(key);
  let buf: Buffer;
  try {
    buf = await store.getBytes(sk);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new ValidationError('sidecar is not valid JSON', { file: store.uri(sk), cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as SidecarMeta).key !== 'string') {
    throw new ValidationError('sidecar is not an object with a "key"', { file: store.uri(sk) });
  }
  return parsed as SidecarMeta;
}

/**
 * Write a JSON document (e.g. a run report) atomically, then its sidecar
 * (format `json`, rows = array length or 1).
 */
export async function putJson(store: ObjectStore, key: string, value: unknown, meta: SidecarInput): Promise<SidecarMeta> {
  const { bytes, sha256 } = await store.putBytes(key, `${JSON.stringify(value, null, 2)}\n`);
  const rows = Array.isArray(value) ? value.length : 1;
  const full = buildSidecar(store, key, meta, { format: 'json', rows, bytes, sha256, schemaVersion: 1 });
  await writeSidecar(store, full);
  return full;
}
