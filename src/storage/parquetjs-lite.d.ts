/**
 * Minimal typings for the parts of parquetjs-lite the storage module uses.
 * The package ships no types; keep this to what we call.
 */
declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  /** A field definition as parquetjs-lite accepts it. */
  export interface ParquetFieldDef {
    type: string;
    optional?: boolean;
    compression?: string;
    statistics?: boolean;
    encoding?: string;
  }

  export class ParquetSchema {
    constructor(fields: Record<string, ParquetFieldDef>);
    readonly fields: Record<string, { name: string; primitiveType?: string; originalType?: string }>;
    readonly fieldList: Array<{ name: string; primitiveType?: string; originalType?: string; path: string[] }>;
  }

  export interface ParquetWriterOptions {
    rowGroupSize?: number;
    pageSize?: number;
    useDataPageV2?: boolean;
  }

  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: ParquetWriterOptions): Promise<ParquetWriter>;
    static openStream(schema: ParquetSchema, out: Writable, opts?: ParquetWriterOptions): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setMetadata(key: string, value: string): void;
    close(): Promise<void>;
    readonly envelopeWriter: { close(): Promise<void> | void };
  }

  export interface ParquetRowGroupMeta {
    num_rows: unknown;
  }

  export interface ParquetFileMeta {
    num_rows: unknown;
    row_groups: ParquetRowGroupMeta[];
    key_value_metadata?: Array<{ key: string; value: string }> | null;
  }

  export class ParquetCursor {
    rowGroupIndex: number;
    nextRowGroup(): Promise<Record<string, unknown>[] | null>;
    next(): Promise<Record<string, unknown> | null>;
  }

  export class ParquetEnvelopeReader {
    constructor(
      readFn: (offset: number, length: number, file?: string) => Promise<Buffer>,
      closeFn: () => unknown,
      fileSize: number,
      options?: Record<string, unknown>,
    );
  }

  export class ParquetReader {
    static openFile(path: string, opts?: Record<string, unknown>): Promise<ParquetReader>;
    static openEnvelopeReader(reader: ParquetEnvelopeReader, opts?: Record<string, unknown>): Promise<ParquetReader>;
    readonly metadata: ParquetFileMeta;
    getCursor(columns?: string[]): ParquetCursor;
    getRowCount(): unknown;
    getSchema(): ParquetSchema;
    getMetadata(): Record<string, string>;
    close(): Promise<void>;
  }
}

declare module 'parquetjs-lite/lib/types' {
  export const PARQUET_LOGICAL_TYPES: Record<string, { fromPrimitive?: (v: unknown) => unknown; toPrimitive: (v: unknown) => unknown }>;
  export function toPrimitive(type: string, value: unknown): unknown;
}

declare module 'parquetjs-lite/lib/shred' {
  const shred: { shredRecord: (schema: never, record: Record<string, unknown>, buffer: object) => void };
  export = shred;
}
