/**
 * Parquet for the data plane: raw, processed and part files (parquetjs-lite,
 * SNAPPY, data page v1, footer metadata `dataops.kind` / `dataops.schema_version`).
 */
export { writeParquet, DEFAULT_ROW_GROUP_SIZE, type ParquetWriteOptions } from './parquet-write';
export {
  readParquet,
  readRawRows,
  readProcessedRows,
  readParquetInfo,
  assertSchemaVersion,
  type ParquetInfo,
  type ParquetReadOptions,
} from './parquet-read';
export { RAW_COLUMNS, PROCESSED_COLUMNS, type ParquetKind } from './parquet-schemas';
