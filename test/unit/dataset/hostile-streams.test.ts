/**
 * Inputs that used to hang or exhaust memory: line reading is linear in the
 * input (a 32 MB single line took over 90 s), an over-long line fails at the
 * limit, and a gzip bomb stops with a clear message instead of running for
 * minutes. Timings here are generous bounds against the quadratic behaviour
 * (seconds vs minutes), not benchmarks.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLines, MAX_LINE_CHARS } from '../../../src/core/io/line-reader.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { MAX_EXPANSION } from '../../../src/core/io/byte-stream.ts';
import { mulberry32 } from '../../../src/core/random.ts';

async function collect(bytes: Uint8Array, gzipped = false, chunk = 64 * 1024): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(shardSourceFromBytes('x.jsonl', bytes, chunk), gzipped).lines) out.push(l.text);
  return out;
}

describe('line reader', () => {
  it('splits exactly like String.split on \\n with \\r\\n and a BOM, whatever the chunking (property over cuts)', async () => {
    const text = '\uFEFFa\r\nbé\n\r\nlong' + 'x'.repeat(5000) + '\r\n\nlast\r';
    const bytes = new TextEncoder().encode(text);
    const want = text.slice(1).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    for (const chunk of [1, 2, 3, 7, 64, 4096]) expect(await collect(bytes, false, chunk)).toEqual(want);
  });

  it('reads a 32 MB single-record gzip line in linear time', async () => {
    // Text-like content (seeded random words), which compresses like real text rather than 1000×.
    const r = mulberry32(3);
    const vocab = Array.from({ length: 5000 }, () => Array.from({ length: 3 + Math.floor(r() * 6) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join(''));
    const words: string[] = [];
    for (let n = 0; n < 32 * 1024 * 1024;) { const w = vocab[Math.floor(r() * vocab.length)]!; words.push(w); n += w.length + 1; }
    const line = `{"docid":"d0","title":"","text":"${words.join(' ')}"}\n`;
    const gz = new Uint8Array(gzipSync(line));
    const started = performance.now();
    const lines = await collect(gz, true);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(line.length - 1);
    expect(performance.now() - started).toBeLessThan(20_000); // quadratic: minutes
  });

  it('refuses a line longer than the limit as soon as it is reached, naming the line', async () => {
    const big = new Uint8Array(MAX_LINE_CHARS + 1024 * 1024).fill(0x61);
    big[0] = 0x0a; // the long line is line 2
    await expect(collect(big, false, 1 << 20)).rejects.toThrow(/x\.jsonl, line 2: line is longer than 67108864 characters/);
  });

  it('stops a gzip bomb with a clear message', async () => {
    // A valid first record (so the format is recognized), then 48 MB of newlines: ~50 kB gzipped.
    const body = new Uint8Array(48 * 1024 * 1024).fill(10);
    body.set(new TextEncoder().encode('{"docid":"d0","title":"","text":"a"}\n'));
    const bomb = new Uint8Array(gzipSync(body));
    expect(bomb.length * MAX_EXPANSION).toBeLessThan(body.length);
    const started = performance.now();
    const err = await parseShard(shardSourceFromBytes('corpus-de.jsonl.gz', bomb)).catch((e: Error) => e.message);
    expect(err).toMatch(/corpus-de\.jsonl\.gz: decompresses to more than 200× its size .*gzip bomb/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('gzip', () => {
  const a = new Uint8Array(gzipSync('{"docid":"d1","title":"","text":"eins"}\n'));
  const b = new Uint8Array(gzipSync('{"docid":"d2","title":"","text":"zwei"}\n'));
  const both = new Uint8Array([...a, ...b]);
  it('reads several members (cat a.gz b.gz) as one file, in any chunking, as the page does (one decompressor everywhere)', async () => {
    for (const chunk of [1, 5, 4096]) {
      const shard = await parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl.gz', both, chunk));
      expect(shard.format === 'miracl-corpus' && shard.passages.map((p) => p.id)).toEqual(['d1', 'd2']);
    }
  });
  it('refuses a truncated or corrupt member: missing trailer, CRC mismatch, cut inside the data', async () => {
    const corrupt = both.slice();
    corrupt[a.length - 6]! ^= 1; // first member's CRC
    for (const bad of [both.subarray(0, both.length - 3), corrupt, both.subarray(0, a.length + 12)]) {
      await expect(parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl.gz', bad, 7))).rejects.toMatchObject({ code: 'truncated-gzip' });
    }
  });
});
