/** The dataset catalog (Redis index over the sidecars) and lineage. */
export { Catalog, type CatalogDeps, type CatalogQuery } from './catalog';
export { buildLineage, traceFile, type LineageGraph, type LineageNode, type TraceResult } from './lineage';
export { sidecarMetaSchema, validateSidecar } from './sidecar-schema';
