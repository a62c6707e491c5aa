/**
 * Opening a shard as a stream of (decompressed) bytes: counts the raw bytes
 * for progress, hashes them (SHA-256 of the file as stored), honours an
 * AbortSignal, and gunzips through DecompressionStream. Every failure leaves
 * as a LabError naming the file, so callers never see a bare zlib/stream error.
 */
import { Gunzip } from 'fflate';
import { LabError, isLabError } from '../errors.ts';
import { Sha256 } from './sha256.ts';

/** Anything with a name, a size and a byte stream: a browser File satisfies it. */
export interface ByteSource {
  name: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
}

export type ProgressCallback = (bytesRead: number, totalBytes: number) => void;

export interface ReadOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;
/** Progress is reported at most once per this many raw bytes (plus once at the end). */
const PROGRESS_STEP = 1 << 20;

export function looksGzipped(name: string, head: Uint8Array | undefined): boolean {
  if (head && head.length >= 2) return head[0] === GZIP_MAGIC0 && head[1] === GZIP_MAGIC1;
  return /\.gz$/i.test(name);
}

export function cancelledError(name: string): LabError {
  return new LabError('cancelled', 'import cancelled', { file: name });
}

export function throwIfAborted(signal: AbortSignal | undefined, name: string): void {
  if (signal?.aborted) throw cancelledError(name);
}

/** Wraps whatever a decompressor/stream threw into the project's error. */
export function streamError(e: unknown, name: string, gzipped: boolean): LabError {
  if (isLabError(e)) return e as LabError;
  const detail = e instanceof Error ? e.message : String(e);
  if (gzipped) {
    return new LabError('truncated-gzip', `gzip data is truncated or corrupt (${detail})`, { file: name }, 'a complete .gz file');
  }
  return new LabError('storage', `could not read the file (${detail})`, { file: name });
}

export interface OpenedShard {
  /** Decompressed content bytes. */
  reader: ReadableStreamDefaultReader<Uint8Array>;
  gzipped: boolean;
  /** Hex SHA-256 of the raw (as stored) bytes; valid once the reader is drained. */
  sha256(): string;
  /** Raw bytes consumed so far. */
  bytesRead(): number;
}

/** CRC-32 (IEEE, as gzip uses), table-driven. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32Update(crc: number, data: Uint8Array): number {
  let c = crc ^ 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Gunzip with fflate rather than DecompressionStream: the same code in the
 * page, a worker and Node, and it reads multi-member gzip (what
 * `cat a.gz b.gz` makes, and what some dataset tools write), which
 * Chromium's DecompressionStream rejects while Node's accepts. fflate does
 * not check the members' trailers, so this does: each member's CRC-32 and
 * length must match its 8-byte trailer, so a truncated or corrupt file is an
 * error, as it was with the native decompressor.
 */
export function gunzipStream(): TransformStream<Uint8Array, Uint8Array> {
  let g: Gunzip;
  let crc = 0;
  let size = 0;
  let members = 0;
  // The compressed bytes seen so far, as (stream offset, chunk) of the last chunks: enough to read the 8 bytes
  // before any member boundary fflate reports while the chunk that holds it is being pushed.
  const recent: { at: number; bytes: Uint8Array }[] = [];
  let consumed = 0;
  const byteAt = (offset: number): number => {
    for (const r of recent) if (offset >= r.at && offset < r.at + r.bytes.length) return r.bytes[offset - r.at]!;
    throw new Error('gzip trailer out of reach');
  };
  const checkTrailer = (end: number): void => {
    if (end < 8) throw new Error('gzip member without its trailer (truncated file)');
    const u32 = (o: number) => (byteAt(o) | (byteAt(o + 1) << 8) | (byteAt(o + 2) << 16) | (byteAt(o + 3) << 24)) >>> 0;
    if (u32(end - 8) !== crc || u32(end - 4) !== size % 2 ** 32) throw new Error('gzip member fails its CRC-32 / length check (truncated or corrupt file)');
    crc = 0;
    size = 0;
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start(ctl) {
      g = new Gunzip((chunk) => {
        if (chunk.length === 0) return;
        crc = crc32Update(crc, chunk);
        size += chunk.length;
        ctl.enqueue(chunk);
      });
      // fflate reports each member after the first, with its offset: the previous member's trailer ends there.
      g.onmember = (offset) => {
        members++;
        checkTrailer(offset);
      };
    },
    transform(chunk) {
      if (chunk.length === 0) return;
      if (members === 0) members = 1;
      recent.push({ at: consumed, bytes: chunk });
      consumed += chunk.length;
      // Keep the last 64 kB (a member header is parsed within a few bytes of its start).
      while (recent.length > 2 && consumed - recent[1]!.at >= 65_536) recent.shift();
      g.push(chunk, false);
    },
    flush() {
      g.push(new Uint8Array(0), true);
      if (members === 0) throw new Error('no gzip data');
      checkTrailer(consumed);
    },
  });
}

/** Most a gzipped shard may expand to (MIRACL's largest language is ~10 GB of JSONL; beyond that, split the shards). */
export const MAX_DECOMPRESSED_BYTES = 16 * 1024 ** 3;
/** Most a gzipped shard may expand relative to its compressed size: text compresses 3-10×, a gzip bomb 1000×. */
export const MAX_EXPANSION = 200;
/** The expansion ratio is only judged past this many decompressed bytes (tiny files may compress very well). */
const EXPANSION_GRACE = 16 * 1024 * 1024;

/** Stops a decompression that grows past the limits above, with a message saying so. */
function expansionGuard(name: string, compressedRead: () => number): TransformStream<Uint8Array, Uint8Array> {
  let out = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctl) {
      out += chunk.length;
      const ratio = out / Math.max(1, compressedRead());
      if (out > MAX_DECOMPRESSED_BYTES || (out > EXPANSION_GRACE && ratio > MAX_EXPANSION)) {
        ctl.error(new LabError('file-too-large',
          out > MAX_DECOMPRESSED_BYTES
            ? `decompresses to more than ${MAX_DECOMPRESSED_BYTES / 1024 ** 3} GiB`
            : `decompresses to more than ${MAX_EXPANSION}× its size (${(out / 1024 ** 2).toFixed(0)} MB from ${(compressedRead() / 1024 ** 2).toFixed(1)} MB): not a dataset shard (a gzip bomb?)`,
          { file: name }, `a gzip shard that expands at most ${MAX_EXPANSION}× and to at most ${MAX_DECOMPRESSED_BYTES / 1024 ** 3} GiB`));
        return;
      }
      ctl.enqueue(chunk);
    },
  });
}

/**
 * Opens the source for one full pass. `gzipped` is decided by the caller
 * (from the magic bytes, see looksGzipped) so a mis-named file still works.
 */
export function openShard(src: ByteSource, gzipped: boolean, opts: ReadOptions & { hash?: boolean } = {}): OpenedShard {
  const { onProgress, signal } = opts;
  const hasher = opts.hash === false ? undefined : new Sha256();
  let read = 0;
  let lastReported = 0;
  let raw: ReadableStream<Uint8Array>;
  try {
    raw = src.stream();
  } catch (e) {
    throw streamError(e, src.name, false);
  }
  const counted = raw.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        if (signal?.aborted) {
          ctl.error(cancelledError(src.name));
          return;
        }
        read += chunk.length;
        hasher?.update(chunk);
        if (onProgress && read - lastReported >= PROGRESS_STEP) {
          lastReported = read;
          onProgress(read, src.size);
        }
        ctl.enqueue(chunk);
      },
      flush() {
        onProgress?.(read, src.size);
      },
    }),
  );
  const content = gzipped
    ? counted.pipeThrough(gunzipStream()).pipeThrough(expansionGuard(src.name, () => read))
    : counted;
  return {
    reader: content.getReader(),
    gzipped,
    sha256: () => (hasher ? hasher.hex() : ''),
    bytesRead: () => read,
  };
}

/** Next chunk, with stream failures and cancellation turned into LabErrors. */
export async function readChunk(
  opened: OpenedShard,
  name: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array | undefined> {
  throwIfAborted(signal, name);
  let res: Awaited<ReturnType<typeof opened.reader.read>>;
  try {
    res = await opened.reader.read();
  } catch (e) {
    throw streamError(e, name, opened.gzipped);
  }
  throwIfAborted(signal, name);
  return res.done ? undefined : res.value;
}

/** Stops reading early (detection, errors); never throws. */
export async function closeShard(opened: OpenedShard): Promise<void> {
  try {
    await opened.reader.cancel();
  } catch {
    /* already errored or closed */
  }
}

/**
 * The first bytes of the (decompressed) content, up to `limit` or the first
 * newline after `minBytes`, whichever comes first. Used for format sniffing.
 */
export async function readHead(src: ByteSource, opts: { limit?: number; untilNewline?: boolean; signal?: AbortSignal } = {}): Promise<{ head: Uint8Array; gzipped: boolean; complete: boolean }> {
  const limit = opts.limit ?? 64 * 1024;
  // Decide gzip from the raw magic bytes first.
  const rawOpened = openShard(src, false, { hash: false, signal: opts.signal });
  const first = await readChunk(rawOpened, src.name, opts.signal);
  await closeShard(rawOpened);
  const gzipped = looksGzipped(src.name, first ?? new Uint8Array(0));
  if (!first || first.length === 0) return { head: new Uint8Array(0), gzipped, complete: true };
  const opened = openShard(src, gzipped, { hash: false, signal: opts.signal });
  const parts: Uint8Array[] = [];
  let n = 0;
  let complete = false;
  let seenContent = false;
  let lineEnded = false;
  try {
    for (;;) {
      const chunk = await readChunk(opened, src.name, opts.signal);
      if (!chunk) {
        complete = true;
        break;
      }
      parts.push(chunk);
      n += chunk.length;
      if (n >= limit) break;
      if (opts.untilNewline && !seenContent) {
        // Only a newline that ends a line with content ends the head (blank leading lines don't count).
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i]!;
          if (b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09) {
            seenContent = true;
            if (chunk.indexOf(0x0a, i) >= 0) lineEnded = true;
            break;
          }
        }
      } else if (opts.untilNewline && chunk.includes(0x0a)) lineEnded = true;
      if (lineEnded) break;
    }
  } finally {
    await closeShard(opened);
  }
  return { head: concatBytes(parts, n), gzipped, complete };
}

export function concatBytes(parts: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? parts.reduce((s, p) => s + p.length, 0);
  if (parts.length === 1 && parts[0]!.length === n) return parts[0]!;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Largest whole-document (LAReQA JSON) content read as one string. MLQA-R's
 * biggest file is ~20 MB; JS strings end near 512 Mi characters, and a
 * document this big should be JSON Lines anyway.
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Whole (decompressed) content as text; for the few-MB LAReQA JSON files only. */
export async function readAllText(src: ByteSource, gzipped: boolean, opts: ReadOptions = {}): Promise<{ text: string; sha256: string }> {
  const opened = openShard(src, gzipped, opts);
  const decoder = new TextDecoder('utf-8');
  const pieces: string[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = await readChunk(opened, src.name, opts.signal);
      if (!chunk) break;
      total += chunk.length;
      if (total > MAX_DOCUMENT_BYTES) {
        throw new LabError('file-too-large', `a JSON document over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB cannot be read whole`, { file: src.name }, 'a LAReQA JSON file of at most 256 MB (split it, or use JSON Lines)');
      }
      pieces.push(decoder.decode(chunk, { stream: true }));
    }
  } catch (e) {
    await closeShard(opened);
    throw e;
  }
  pieces.push(decoder.decode());
  let text = pieces.join('');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, sha256: opened.sha256() };
}
