/**
 * `npm run bench -- datasets [--mb N]`: dataset import throughput.
 *  1. A synthetic MIRACL corpus of N MB (default 200), plain and .jsonl.gz,
 *     parsed by parseShard (streaming, SHA-256, line split, JSON per line).
 *     Reference, same process and file: draining the same byte stream
 *     (plain) and the same stream through DecompressionStream (gz), i.e. the
 *     I/O floor. Reported: MB/s and ratio to the reference; heap growth vs
 *     file size (a parser holding the file as one string would add ≥ 2× the
 *     file size in UTF-16 on top of the passages).
 *  2. A BEIR corpus.jsonl and the same rows as a Parquet shard (a tenth of N each).
 *  3. The 11 XQuAD-R files: loadDatasetFromPaths vs JSON.parse of the same
 *     texts (the floor for a whole-document format).
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { loadDatasetFromPaths, shardSourceFromPath } from '../src/cli/load-files.ts';
import { parseShard } from '../src/core/dataset/parse-shard.ts';
import { corpusLines } from '../src/core/dataset/synthetic-corpus.ts';

const XQ = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];

async function drain(s: ReadableStream<Uint8Array>): Promise<number> {
  const r = s.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await r.read();
    if (done) return n;
    n += value.length;
  }
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, (performance.now() - t) / 1000];
}

export async function run(argv: string[]): Promise<void> {
  const mbArg = argv.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(argv[mbArg + 1]) : 200;
  const dir = mkdtempSync(join(tmpdir(), 'polyglot-bench-'));
  console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
  try {
    const plain = join(dir, 'miracl-corpus-v1.0-de-0.jsonl');
    const gz = join(dir, 'miracl-corpus-v1.0-de-1.jsonl.gz');
    await pipeline(Readable.from(corpusLines(mb * 1e6)), createWriteStream(plain));
    await pipeline(Readable.from(corpusLines(mb * 1e6)), createGzip(), createWriteStream(gz));
    const size = statSync(plain).size;
    const gzSize = statSync(gz).size;

    for (const [label, path, bytes] of [['plain', plain, size], ['gzip', gz, gzSize]] as const) {
      const src = shardSourceFromPath(path);
      const [, ref] = await time(() =>
        drain(label === 'gzip' ? src.stream().pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : src.stream()),
      );
      globalThis.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const [shard, t] = await time(() => parseShard(src));
      const heap1 = process.memoryUsage().heapUsed;
      const n = shard.format === 'miracl-corpus' ? shard.passages.length : 0;
      console.log(
        `corpus ${label}: ${(bytes / 1e6).toFixed(1)} MB stored (${(size / 1e6).toFixed(1)} MB text), ${n} passages: ` +
          `parse ${t.toFixed(2)} s = ${(size / 1e6 / t).toFixed(1)} MB/s of text; reference drain ${ref.toFixed(2)} s; ratio ${(t / ref).toFixed(1)}×; ` +
          `heap +${((heap1 - heap0) / 1e6).toFixed(0)} MB (${((heap1 - heap0) / size).toFixed(2)}× the text); ` +
          `peak resident ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB so far`,
      );
    }

    // BEIR corpus.jsonl (_id, title, text) and the same rows as a Parquet shard (hyparquet-writer, snappy,
    // 10,000-row groups), each a tenth of the corpus size; Parquet is read row group by row group.
    const tenth = Math.max(1, Math.round(mb / 10)) * 1e6;
    const beirDir = join(dir, 'beir-de');
    mkdirSync(beirDir);
    const beir = join(beirDir, 'corpus.jsonl');
    const rows: { _id: string; title: string; text: string }[] = [];
    for (const line of corpusLines(tenth)) {
      const o = JSON.parse(line) as { docid: string; title: string; text: string };
      rows.push({ _id: o.docid, title: o.title, text: o.text });
    }
    writeFileSync(beir, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const pq = join(beirDir, 'corpus.parquet');
    writeFileSync(pq, new Uint8Array(parquetWriteBuffer({ rowGroupSize: 10_000, columnData: [
      { name: '_id', data: rows.map((r) => r._id), type: 'STRING' }, { name: 'title', data: rows.map((r) => r.title), type: 'STRING' }, { name: 'text', data: rows.map((r) => r.text), type: 'STRING' },
    ] } as never)));
    const textBytes = statSync(beir).size;
    for (const [label, path] of [['BEIR corpus.jsonl', beir], ['Parquet corpus', pq]] as const) {
      const src = shardSourceFromPath(path);
      globalThis.gc?.();
      const [shard, t] = await time(() => parseShard(src));
      const n = shard.format === 'miracl-corpus' ? shard.passages.length : 0;
      console.log(`${label}: ${(src.size / 1e6).toFixed(1)} MB stored, ${n} passages (${(textBytes / 1e6).toFixed(1)} MB as JSONL): parse ${t.toFixed(2)} s = ${(src.size / 1e6 / t).toFixed(1)} MB/s stored, ${(textBytes / 1e6 / t).toFixed(1)} MB/s of JSONL-equivalent text`);
    }

    const paths = XQ.map((l) => join('..', 'shared', 'data', 'xquad-r', `${l}.json`));
    const [, refXq] = await time(async () => {
      for (const p of paths) JSON.parse(readFileSync(p, 'utf8'));
    });
    const [ds, tXq] = await time(() => loadDatasetFromPaths(paths));
    console.log(`xquad-r: ${ds.passages.length} candidates, ${ds.queries.length} queries: load ${tXq.toFixed(2)} s; reference JSON.parse ${refXq.toFixed(2)} s; ratio ${(tXq / refXq).toFixed(1)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
