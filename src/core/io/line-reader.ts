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
    // The unfinished line is kept as pieces and joined once, when its newline arrives: appending to one string and
    // searching it again per chunk made a 32 MB one-line file take minutes (every chunk re-flattened the whole line).
    let pending: string[] = [];
    let pendingChars = 0;
    let lineNo = 0;
    let first = true;
    let done = false;
    const finish = (piece: string): string => {
      let line = pending.length > 0 ? pending.join('') + piece : piece;
      pending = [];
      pendingChars = 0;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      return line;
    };
    try {
      for (;;) {
        const chunk = await readChunk(opened, src.name, opts.signal);
        let text: string;
        if (!chunk) {
          done = true;
          text = decoder.decode();
        } else {
          text = decoder.decode(chunk, { stream: true });
        }
        if (first && text.length > 0) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          first = false;
        }
        let start = 0;
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl < 0) break;
          lineNo++;
          yield { lineNo, text: finish(text.slice(start, nl)) };
          start = nl + 1;
        }
        if (start < text.length) {
          const rest = start > 0 ? text.slice(start) : text;
          pending.push(rest);
          pendingChars += rest.length;
          if (pendingChars > MAX_LINE_CHARS) {
            throw new LabError('line-too-long', `line is longer than ${MAX_LINE_CHARS} characters`, { file: src.name, line: lineNo + 1 }, 'one record per line');
          }
        }
        if (done) {
          if (pendingChars > 0) {
            lineNo++;
            yield { lineNo, text: finish('') };
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
