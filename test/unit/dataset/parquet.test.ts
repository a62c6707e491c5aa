/**
 * Parquet shards, written by a library other than the reader (hyparquet-writer; snappy, several row groups):
 * a corpus, its queries and qrels as Hugging Face publishes a retrieval set, read row group by row group
 * through random access (the Node file source's readRange), mapped to the lab's roles by column name, and
 * built into the same dataset as the JSONL layout. Then the bad-input catalogue: a missing column, a wrong
 * type, an empty table, a qrels row naming an unknown document, a cut-short file, a file that is not Parquet,
 * a language column that disagrees with the file's folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { loadDatasetFromPaths, shardSourceFromPath } from '../../../src/cli/load-files.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { buildDataset } from '../../../src/core/dataset/build.ts';
import { parquetMapping } from '../../../src/core/dataset/parse-parquet.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { expectLabError } from './helpers.ts';

type Col = { name: string; data: unknown[]; type?: string };
type Compress = (b: Uint8Array) => Uint8Array;
const parquet = (columnData: Col[], rowGroupSize = 2, codec?: { name: string; compress: Compress }): Uint8Array =>
  new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize, ...(codec ? { codec: codec.name, compressors: { [codec.name]: codec.compress } } : {}) } as never));

// The codecs pyarrow writes besides snappy, each compressed by an implementation other than the reader's:
// Node's zlib (gzip, brotli) and the zstd command-line tool where the machine has it.
const ZSTD = '/usr/bin/zstd';
const CODECS: { name: string; compress: Compress; available: boolean }[] = [
  { name: 'GZIP', compress: (b) => new Uint8Array(gzipSync(b)), available: true },
  { name: 'BROTLI', compress: (b) => new Uint8Array(brotliCompressSync(b)), available: true },
  { name: 'ZSTD', compress: (b) => new Uint8Array(spawnSync(ZSTD, ['-q', '-c', '-3'], { input: b, timeout: 30_000 }).stdout), available: existsSync(ZSTD) },
];

const N = 7;
/** Text snappy cannot shrink much: seeded pseudo-random hex. */
function noise(seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  let out = '';
  for (let i = 0; i < 80; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; out += x.toString(16).padStart(8, '0'); }
  return out;
}
const corpusCols = (): Col[] => [
  { name: '_id', data: Array.from({ length: N }, (_, i) => `doc${i}`), type: 'STRING' },
  { name: 'title', data: Array.from({ length: N }, (_, i) => `Titel ${i}`), type: 'STRING' },
  { name: 'text', data: Array.from({ length: N }, (_, i) => `Dokument ${i} über Thema${i} und Berlin`), type: 'STRING' },
];

function writeSet(root: string): string {
  const dir = join(root, 'mteb-de');
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  writeFileSync(join(dir, 'corpus.parquet'), parquet(corpusCols()));
  writeFileSync(join(dir, 'queries.parquet'), parquet([
    { name: '_id', data: ['q1', 'q2'], type: 'STRING' },
    { name: 'text', data: ['Thema3?', 'Thema5?'], type: 'STRING' },
  ]));
  writeFileSync(join(dir, 'qrels', 'test.parquet'), parquet([
    { name: 'query-id', data: ['q1', 'q2'], type: 'STRING' },
    { name: 'corpus-id', data: ['doc3', 'doc5'], type: 'STRING' },
    { name: 'score', data: [1, 1], type: 'INT32' },
  ]));
  return dir;
}

describe('Parquet shards', () => {
  it('reads a corpus, queries and qrels written by hyparquet-writer, row group by row group, into a MIRACL-like dataset', async () => {
    const dir = writeSet(mkdtempSync(join(tmpdir(), 'parquet-')));
    const m = await parquetMapping(shardSourceFromPath(join(dir, 'corpus.parquet')));
    expect(m).toEqual({ kind: 'miracl-corpus', columns: { id: '_id', text: 'text', title: 'title' }, rows: N, rowGroups: 4, available: ['_id', 'title', 'text'] });
    expect((await parquetMapping(shardSourceFromPath(join(dir, 'queries.parquet')))).kind).toBe('miracl-topics');
    expect((await parquetMapping(shardSourceFromPath(join(dir, 'qrels', 'test.parquet')))).columns).toEqual({ queryId: 'query-id', docId: 'corpus-id', score: 'score' });

    // Random access only: on a 2 MB corpus of 8 row groups the reader asks for the footer and one row group at a
    // time, never the whole file (its SHA-256 is streamed).
    const big = 4000;
    writeFileSync(join(dir, 'big-corpus.parquet'), parquet([
      { name: '_id', data: Array.from({ length: big }, (_, i) => `b${i}`), type: 'STRING' },
      { name: 'text', data: Array.from({ length: big }, (_, i) => noise(i)), type: 'STRING' },
    ], 500));
    const ranges: [number, number][] = [];
    const src = shardSourceFromPath(join(dir, 'big-corpus.parquet'));
    const watched = { ...src, path: join(dir, 'big-corpus.parquet'), readRange: (a: number, b: number) => { ranges.push([a, b]); return src.readRange!(a, b); } };
    const progress: number[] = [];
    const shard = await parseShard(watched, { onProgress: (r) => progress.push(r) });
    expect(shard.format).toBe('miracl-corpus');
    if (shard.format !== 'miracl-corpus') return;
    expect(shard.lang).toBe('de');
    expect(shard.passages).toHaveLength(big);
    expect(shard.passages[3999]).toEqual({ id: 'b3999', lang: 'de', text: noise(3999) });
    expect(src.size).toBeGreaterThan(1e6);
    expect(ranges.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...ranges.map(([a, b]) => b - a))).toBeLessThan(src.size / 2);
    expect(progress.at(-1)).toBe(src.size);
    expect(progress.length).toBe(8);
    rmSync(join(dir, 'big-corpus.parquet'));

    const ds = await loadDatasetFromPaths([dir]);
    expect(ds.format).toBe('miracl');
    expect(ds.languages).toEqual(['de']);
    expect(ds.queries.map((q) => q.id)).toEqual(['q1', 'q2']);
    expect({ ...ds.qrels }).toEqual({ q1: { doc3: 1 }, q2: { doc5: 1 } });
    const r = await evaluateDataset(ds, bm25Model());
    expect(r.settings.mono!.macro.ndcg_cut_10).toBeCloseTo(1, 12);
  });

  it('reads a Hugging Face layout: one folder per language and table, shards named test-00000-of-00001.parquet', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parquet-hub-'));
    for (const lang of ['ar', 'de']) {
      const put = (table: string, cols: Col[]) => {
        mkdirSync(join(root, `${lang}-${table}`), { recursive: true });
        writeFileSync(join(root, `${lang}-${table}`, 'test-00000-of-00001.parquet'), parquet(cols));
      };
      put('corpus', corpusCols());
      put('queries', [{ name: '_id', data: ['q1'], type: 'STRING' }, { name: 'text', data: ['Thema3'], type: 'STRING' }]);
      put('qrels', [{ name: 'query-id', data: ['q1'], type: 'STRING' }, { name: 'corpus-id', data: ['doc3'], type: 'STRING' }, { name: 'score', data: [1], type: 'INT32' }]);
    }
    const ds = await loadDatasetFromPaths([root]);
    expect(ds.languages).toEqual(['ar', 'de']);
    expect(ds.passages).toHaveLength(2 * N);
    expect(ds.queries.map((q) => `${q.lang}:${q.sourceId ?? q.id}`)).toEqual(['ar:q1', 'de:q1']);
  });

  it('refuses bad Parquet input with the file, row and column named', async () => {
    const src = (name: string, bytes: Uint8Array, path = `mteb-de/${name}`) => ({ ...shardSourceFromBytes(name, bytes), path });
    // No text column.
    await expectLabError(parseShard(src('corpus.parquet', parquet([{ name: '_id', data: ['a'], type: 'STRING' }, { name: 'body', data: ['x'], type: 'STRING' }]))), 'missing-field', { file: 'corpus.parquet' });
    // A wrong type: text is a number.
    const e = await expectLabError(parseShard(src('corpus.parquet', parquet([{ name: '_id', data: ['a', 'b'], type: 'STRING' }, { name: 'text', data: [1.5, 2.5], type: 'DOUBLE' }]))), 'wrong-type', { file: 'corpus.parquet' });
    expect(e.location.path).toBe('rows[0].text');
    // A null text in the third row.
    const n = await expectLabError(parseShard(src('corpus.parquet', parquet([{ name: '_id', data: ['a', 'b', 'c'], type: 'STRING' }, { name: 'text', data: ['x', 'y', null], type: 'STRING' }]))), 'missing-field');
    expect(n.location.path).toBe('rows[2].text');
    // Empty table, empty file, not Parquet, cut short.
    await expectLabError(parseShard(src('corpus.parquet', parquet([{ name: '_id', data: [], type: 'STRING' }, { name: 'text', data: [], type: 'STRING' }]))), 'empty-file', { file: 'corpus.parquet' });
    await expectLabError(parseShard(src('corpus.parquet', new Uint8Array())), 'empty-file', { file: 'corpus.parquet' });
    await expectLabError(parseShard(src('corpus.parquet', new TextEncoder().encode('{"_id":"a","text":"x"}\n'))), 'unknown-format', { file: 'corpus.parquet' });
    const whole = parquet(corpusCols());
    await expectLabError(parseShard(src('corpus.parquet', whole.subarray(0, whole.length - 30))), 'parquet', { file: 'corpus.parquet' });
    // A duplicate id, across row groups.
    await expectLabError(parseShard(src('corpus.parquet', parquet([{ name: '_id', data: ['a', 'b', 'a'], type: 'STRING' }, { name: 'text', data: ['x', 'y', 'z'], type: 'STRING' }]))), 'duplicate-id', { file: 'corpus.parquet' });
    // A language column that disagrees with the folder; one that holds two languages.
    const withLang = (langs: string[]) => parquet([{ name: '_id', data: langs.map((_, i) => `d${i}`), type: 'STRING' }, { name: 'text', data: langs.map(() => 't'), type: 'STRING' }, { name: 'lang', data: langs, type: 'STRING' }]);
    await expectLabError(parseShard(src('corpus.parquet', withLang(['fr', 'fr']))), 'inconsistent-dataset', { file: 'corpus.parquet' });
    await expectLabError(parseShard(src('corpus.parquet', withLang(['de', 'fr']), 'data/corpus.parquet')), 'inconsistent-dataset', { file: 'corpus.parquet' });
    // ...and one language column is the language when the name and folder give none.
    const fromColumn = await parseShard(src('corpus.parquet', withLang(['sw', 'sw']), 'data/corpus.parquet'));
    expect(fromColumn.format === 'miracl-corpus' && fromColumn.lang).toBe('sw');
    // A qrels row naming a document the corpus does not have: a counted warning.
    const shards = await Promise.all([
      src('corpus.parquet', parquet(corpusCols())),
      src('queries.parquet', parquet([{ name: '_id', data: ['q1'], type: 'STRING' }, { name: 'text', data: ['Thema1'], type: 'STRING' }])),
      src('qrels.parquet', parquet([{ name: 'query-id', data: ['q1', 'q1'], type: 'STRING' }, { name: 'corpus-id', data: ['doc1', 'gone'], type: 'STRING' }, { name: 'score', data: [1, 1], type: 'INT32' }])),
    ].map((s) => parseShard(s)));
    expect(buildDataset(shards).diagnostics).toEqual([expect.objectContaining({ code: 'qrels-docid-not-in-corpus', count: 1 })]);
  });

  it.each(CODECS)('reads $name-compressed Parquet (loading the extra decompressors only then) into the same shard as snappy', async ({ name, compress, available }) => {
    if (!available) return expect(name).toBe('ZSTD'); // zstd's CLI is not on this machine: nothing to write the file with
    const path = 'mteb-de/corpus.parquet';
    const snappy = await parseShard({ ...shardSourceFromBytes('corpus.parquet', parquet(corpusCols())), path });
    const bytes = parquet(corpusCols(), 2, { name, compress });
    const shard = await parseShard({ ...shardSourceFromBytes('corpus.parquet', bytes), path });
    expect(shard.format === 'miracl-corpus' && shard.passages).toEqual(snappy.format === 'miracl-corpus' && snappy.passages);
    expect(shard.sha256).not.toBe(snappy.sha256);
  });

  it('names a codec nothing in the browser decodes (LZO)', async () => {
    const lzo = parquet(corpusCols(), 2, { name: 'LZO', compress: (b) => b });
    const e = await expectLabError(parseShard({ ...shardSourceFromBytes('corpus.parquet', lzo), path: 'mteb-de/corpus.parquet' }), 'parquet', { file: 'corpus.parquet' });
    expect(e.message).toMatch(/compressed with LZO/);
    expect(e.expected).toMatch(/zstd/);
  });
});
