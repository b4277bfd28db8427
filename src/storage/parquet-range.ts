/**
 * Coalesced byte-range reads of a remote Parquet object. parquetjs-lite asks
 * for every column chunk of a row group separately; here a row group is
 * fetched with one range request (its column chunks are contiguous, or nearly
 * so) and the library's per-chunk reads are served from that buffer, which is
 * dropped once the row group is decoded. The footer is read with one request
 * for the object's tail. Memory stays bounded by one row group plus the tail.
 */
import type { ObjectStore } from './object-store';

/** The parts of a column chunk's footer entry used to locate its bytes (thrift Int64 values coerce with `+`). */
export interface ColumnChunkLocation {
  file_path?: string | null;
  meta_data: { path_in_schema: string[]; data_page_offset: unknown; dictionary_page_offset?: unknown; total_compressed_size: unknown };
}

/** A byte range `[start, end)`. */
export interface ByteSpan {
  start: number;
  end: number;
}

/** Gaps up to this size between needed column chunks are read through rather than split into two requests. */
export const MAX_GAP_BYTES = 256 * 1024;
/** How much of the object's end is fetched at open: the trailer and, usually, the whole footer. */
export const TAIL_BYTES = 64 * 1024;

/**
 * The byte spans the library will read for a row group: for each needed column
 * chunk, from its first page (dictionary or data) to the end of what the
 * library requests, merged when less than `maxGap` bytes apart.
 */
export function rowGroupSpans(columns: readonly ColumnChunkLocation[], columnList: readonly string[][], fileSize: number, maxGap = MAX_GAP_BYTES): ByteSpan[] {
  const wanted = new Set(columnList.map((c) => c.join('\u0000')));
  const spans: ByteSpan[] = [];
  for (const c of columns) {
    if (c.file_path) continue; // stored in another file: not ours to prefetch
    if (wanted.size && !wanted.has(c.meta_data.path_in_schema.join('\u0000'))) continue;
    const data = Number(c.meta_data.data_page_offset);
    const dict = c.meta_data.dictionary_page_offset ? Number(c.meta_data.dictionary_page_offset) : data;
    // The library reads total_compressed_size bytes from the data page offset.
    spans.push({ start: Math.min(dict, data), end: Math.min(fileSize, data + Number(c.meta_data.total_compressed_size)) });
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: ByteSpan[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start - last.end <= maxGap) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/** Read `[start, start + length)` of an object with one range request, into one buffer. */
export async function readRange(store: ObjectStore, key: string, start: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for await (const c of await store.createReadStream(key, { start, end: start + length - 1 })) {
    const chunk = c as Uint8Array;
    if (at + chunk.length > length) throw new Error(`range read of ${store.uri(key)} returned more than the ${length} bytes asked for`);
    out.set(chunk, at);
    at += chunk.length;
  }
  if (at !== length) throw new Error(`range read of ${store.uri(key)} at ${start} returned ${at} of ${length} bytes (object changed or truncated)`);
  return out;
}

interface Window {
  start: number;
  buf: Buffer;
}

/**
 * The read function behind a remote Parquet reader: serves reads from the
 * prefetched tail and the current row group's windows, and falls back to a
 * range request for anything else.
 */
export class CoalescingRangeReader {
  /** Range requests made so far (for tests and benchmarks). */
  requests = 0;
  private tail?: Window;
  private windows: Window[] = [];
  /** Dictionary page offsets of the current row group: the library reads those with an oversized length. */
  private dictOffsets = new Set<number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
    private readonly size: number,
  ) {}

  /** Fetch the object's last {@link TAIL_BYTES} bytes (footer) with one request. */
  async prefetchTail(): Promise<void> {
    const start = Math.max(0, this.size - TAIL_BYTES);
    this.tail = { start, buf: await this.fetch(start, this.size - start) };
  }

  /** Fetch a row group's spans (usually one) before the library reads its column chunks. */
  async prefetchRowGroup(columns: readonly ColumnChunkLocation[], columnList: readonly string[][]): Promise<void> {
    this.dropRowGroup();
    for (const c of columns) if (c.meta_data.dictionary_page_offset) this.dictOffsets.add(Number(c.meta_data.dictionary_page_offset));
    for (const s of rowGroupSpans(columns, columnList, this.size)) this.windows.push({ start: s.start, buf: await this.fetch(s.start, s.end - s.start) });
  }

  /** Release the current row group's buffers. */
  dropRowGroup(): void {
    this.windows = [];
    this.dictOffsets.clear();
  }

  /** The `readFn` of parquetjs-lite's envelope reader. */
  read = async (offset: number, length: number): Promise<Buffer> => {
    for (const w of this.tail ? [this.tail, ...this.windows] : this.windows) {
      const end = w.start + w.buf.length;
      if (offset < w.start || offset >= end) continue;
      if (offset + length <= end) return w.buf.subarray(offset - w.start, offset + length - w.start);
      // A dictionary page read asks for up to 10 MB past its offset, but the page lies inside its column chunk.
      if (this.dictOffsets.has(offset)) return w.buf.subarray(offset - w.start);
    }
    return this.fetch(offset, length);
  };

  private fetch(offset: number, length: number): Promise<Buffer> {
    if (length > 0) this.requests++;
    return readRange(this.store, this.key, offset, length);
  }
}
