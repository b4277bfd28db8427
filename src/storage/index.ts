/**
 * Storage: the only place that touches Parquet or CSV bytes. Everything goes
 * through an {@link ObjectStore} (local by default).
 */
export type { ObjectStore, ObjectInfo, AtomicWrite, LocalHandle } from './object-store';
export { assertSafeKey } from './keys';
export { LocalObjectStore } from './local-store';
export { S3ObjectStore, type S3StoreOptions } from './s3-store';
export { createStore, type StoreConfig } from './factory';
export * from './parquet';
export { writeCsv, CSV_SCHEMA_VERSION } from './csv';
export { sidecarKey, writeSidecar, readSidecar, putJson, buildSidecar, type SidecarInput } from './sidecar';
export { timestampTag, rawKey, processedKey, outputKey, reportKey, partKey, runPrefix } from './names';
export { readParquetRecords, readCsvRecords, type CsvReadOptions } from './readers';
