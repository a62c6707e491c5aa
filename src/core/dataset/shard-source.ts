/**
 * Where shard bytes come from. A browser `File` satisfies ShardSource as is;
 * Node code gets one from src/cli/load-files.ts (shardSourceFromPath), tests
 * and workers holding bytes use shardSourceFromBytes.
 */
import type { ByteSource } from '../io/byte-stream.ts';

export interface ShardSource extends ByteSource {
  /** File name (no directories: the language and format are read from it). */
  name: string;
  /** Bytes as stored. */
  size: number;
  /** A fresh stream over the whole file on every call (detection reads the head, parsing reads it all). */
  stream(): ReadableStream<Uint8Array>;
  /**
   * Optional path the file was found under (a folder drop's webkitRelativePath,
   * a CLI argument). Only used for the language when the name has none:
   * MIRACL's `miracl-corpus-v1.0-de/docs-0.jsonl.gz`.
   */
  path?: string;
  /**
   * How messages and the dataset name this file when its name alone is ambiguous (two `de.json` from
   * different folders on one command line: `a/de.json`, `b/de.json`). Default: the name.
   */
  label?: string;
  /** Bytes [start, end) without reading the rest (Parquet's footer and row groups); a Blob's slice serves in the page. */
  readRange?(start: number, end: number): Promise<Uint8Array>;
}

/** An in-memory source; chunkSize splits the stream to exercise chunk boundaries. */
export function shardSourceFromBytes(name: string, bytes: Uint8Array | string, chunkSize = 64 * 1024): ShardSource {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const step = Math.max(1, Math.floor(chunkSize));
  return {
    name,
    size: data.length,
    readRange: async (start, end) => data.slice(start, end),
    stream() {
      let off = 0;
      return new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (off >= data.length) {
            ctl.close();
            return;
          }
          const end = Math.min(data.length, off + step);
          // Copy: consumers may transfer or keep chunks.
          ctl.enqueue(data.slice(off, end));
          off = end;
        },
      });
    },
  };
}

/** Base name of a path or File name ("a/b/de.json" → "de.json"). */
export function baseName(name: string): string {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return i >= 0 ? name.slice(i + 1) : name;
}
