/**
 * Streaming line splitter: decodes UTF-8 chunk by chunk and yields one line at
 * a time, so a 500 MB JSONL never exists as one string. Handles \n and \r\n,
 * a UTF-8 BOM, multi-byte characters split across chunks, and a last line
 * without a trailing newline.
 */
import { LabError } from '../errors.ts';
import { closeShard, openShard, readChunk, type ByteSource, type ReadOptions } from './byte-stream.ts';

/** Longer lines are refused: no JSONL/TSV record is this long, and JS strings top out near 512 Mi chars. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface Line {
  /** 1-based. */
  lineNo: number;
  text: string;
}

export interface LineStream {
  lines: AsyncGenerator<Line, void, undefined>;
  /** Hex SHA-256 of the raw file; valid after `lines` is exhausted. */
  sha256(): string;
}

export function readLines(src: ByteSource, gzipped: boolean, opts: ReadOptions & { hash?: boolean } = {}): LineStream {
  const opened = openShard(src, gzipped, opts);
  async function* gen(): AsyncGenerator<Line, void, undefined> {
    const decoder = new TextDecoder('utf-8');
    let buf = '';
    let lineNo = 0;
    let first = true;
    let done = false;
    // Where to resume looking for '\n': keeps one very long line from being rescanned per chunk.
    let scanFrom = 0;
    try {
      for (;;) {
        const chunk = await readChunk(opened, src.name, opts.signal);
        if (!chunk) {
          done = true;
          buf += decoder.decode();
        } else {
          buf += decoder.decode(chunk, { stream: true });
        }
        if (first && buf.length > 0) {
          if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
          first = false;
        }
        let start = 0;
        for (;;) {
          const nl = buf.indexOf('\n', Math.max(start, scanFrom));
          if (nl < 0) break;
          let end = nl;
          if (end > start && buf.charCodeAt(end - 1) === 13) end--;
          lineNo++;
          yield { lineNo, text: buf.slice(start, end) };
          start = nl + 1;
        }
        buf = start > 0 ? buf.slice(start) : buf;
        scanFrom = buf.length;
        if (buf.length > MAX_LINE_CHARS) {
          throw new LabError('line-too-long', `line is longer than ${MAX_LINE_CHARS} characters`, { file: src.name, line: lineNo + 1 }, 'one record per line');
        }
        if (done) {
          if (buf.length > 0) {
            lineNo++;
            yield { lineNo, text: buf.endsWith('\r') ? buf.slice(0, -1) : buf };
          }
          return;
        }
      }
    } finally {
      if (!done) await closeShard(opened);
    }
  }
  return { lines: gen(), sha256: () => opened.sha256() };
}
