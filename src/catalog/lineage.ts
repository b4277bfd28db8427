/**
 * Lineage from the catalog: the graph of one run (source → raw → chunk parts →
 * processed → csv/report, with job ids), and the way back from any file to its
 * run, raw file and source.
 */
import path from 'node:path';
import type { DatasetKind, SidecarMeta } from '../types';
import type { Catalog } from './catalog';

/** A node of a {@link LineageGraph}. */
export interface LineageNode {
  /** The storage key for files; `source:<name>` for the source; `input:<path>` for external inputs. */
  id: string;
  kind: 'source' | 'raw' | 'part' | 'processed' | 'output' | 'report';
  label: string;
  key?: string;
  uri?: string;
  sha256?: string;
  rows?: number;
  jobIds?: string[];
}

/** The lineage of one run. Edges point from input to output. */
export interface LineageGraph {
  runId: string;
  nodes: LineageNode[];
  edges: Array<{ from: string; to: string }>;
}

// What a file of each kind is made from when its sidecar lists no inputs, in order of preference.
const DEFAULT_INPUTS: Record<DatasetKind, DatasetKind[]> = {
  raw: [],
  part: ['raw'],
  processed: ['part', 'raw'],
  output: ['processed'],
  report: ['processed'],
};
const KIND_ORDER: LineageNode['kind'][] = ['source', 'raw', 'part', 'processed', 'output', 'report'];

function fileNode(m: SidecarMeta): LineageNode {
  const node: LineageNode = { id: m.key, kind: m.kind, label: path.posix.basename(m.key), key: m.key, uri: m.uri, sha256: m.sha256, rows: m.rows };
  if (m.jobIds?.length) node.jobIds = [...m.jobIds];
  return node;
}

/** The lineage graph of a run, or null when the catalog has no file of it. */
export async function buildLineage(catalog: Catalog, runId: string): Promise<LineageGraph | null> {
  const entries = (await catalog.listRun(runId)).reverse(); // oldest first
  if (entries.length === 0) return null;
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, { from: string; to: string }>();
  const link = (from: string, to: string) => edges.set(`${from}\u0000${to}`, { from, to });
  for (const m of entries) nodes.set(m.key, fileNode(m));
  for (const m of entries) {
    if (m.kind === 'raw') {
      const name = m.source ?? entries.find((e) => e.source)?.source ?? 'unknown';
      nodes.set(`source:${name}`, { id: `source:${name}`, kind: 'source', label: name });
      link(`source:${name}`, m.key);
    }
    const inputs = m.inputs.filter((i) => i !== m.key);
    for (const input of inputs) {
      if (!nodes.has(input)) {
        const other = await catalog.get(input);
        // Inputs the catalog does not know (e.g. the file collector's input files) are external sources.
        nodes.set(input, other ? fileNode(other) : { id: `input:${input}`, kind: 'source', label: input, key: input });
      }
      link(nodes.get(input)!.id, m.key);
    }
    if (inputs.length === 0) {
      // No recorded inputs: link from the first earlier stage this run has files of.
      for (const kind of DEFAULT_INPUTS[m.kind]) {
        const from = entries.filter((e) => e.kind === kind);
        for (const e of from) link(e.key, m.key);
        if (from.length) break;
      }
    }
  }
  const sorted = [...nodes.values()].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.id.localeCompare(b.id));
  return { runId, nodes: sorted, edges: [...edges.values()] };
}

/** What {@link traceFile} finds. */
export interface TraceResult {
  dataset: SidecarMeta;
  runId?: string;
  pipeline?: string;
  source?: string;
  raw?: SidecarMeta;
  lineage?: LineageGraph;
}

/**
 * From a file (storage key, path, URI, or sha256) back to its run, raw file
 * and source. With a sha256 shared by several files, the newest is used.
 * Null when the catalog does not know the file.
 */
export async function traceFile(catalog: Catalog, pathOrSha: string): Promise<TraceResult | null> {
  const s = pathOrSha.trim();
  const dataset = /^[0-9a-fA-F]{64}$/.test(s) ? (await catalog.findBySha256(s))[0] : await catalog.findByPath(s);
  if (!dataset) return null;
  const raw = await findRaw(catalog, dataset);
  const out: TraceResult = { dataset };
  const runId = dataset.runId ?? raw?.runId;
  if (runId) out.runId = runId;
  const pipeline = dataset.pipeline ?? raw?.pipeline;
  if (pipeline) out.pipeline = pipeline;
  const source = dataset.source ?? raw?.source;
  if (source) out.source = source;
  if (raw) out.raw = raw;
  if (runId) {
    const g = await buildLineage(catalog, runId);
    if (g) out.lineage = g;
  }
  return out;
}

/** Walk inputs breadth-first to the raw file; fall back to the run's raw file. */
async function findRaw(catalog: Catalog, start: SidecarMeta): Promise<SidecarMeta | undefined> {
  if (start.kind === 'raw') return start;
  const seen = new Set<string>([start.key]);
  let frontier = [start];
  for (let depth = 0; depth < 8 && frontier.length; depth++) {
    const next: SidecarMeta[] = [];
    for (const m of frontier) {
      for (const input of m.inputs) {
        if (seen.has(input)) continue;
        seen.add(input);
        const e = await catalog.get(input);
        if (!e) continue;
        if (e.kind === 'raw') return e;
        next.push(e);
      }
    }
    frontier = next;
  }
  if (!start.runId) return undefined;
  return (await catalog.query({ runId: start.runId, kind: 'raw', limit: 1 }))[0];
}
