/**
 * `npm run bench -- scale [--base-articles 3] [--scales 1,4,16] [--dim 384] [--smoke]`
 *
 * How cost grows with the data. Scale k is the first k × base XQuAD-R articles
 * of every language (the default 1×, 4×, 16× = 3, 12 and all 48 articles), so
 * every size is real data, not copies. For each size, measured in this process:
 *   ingest     the 11 LAReQA files parsed and built into a dataset (loadDatasetFromPaths);
 *   tokenize   every question and sentence through the mBERT tokenizer (max length 128);
 *   BM25 eval  indexing and the full evaluation (mono, cross, multi, language bias);
 *   dense eval the same evaluation of seeded random embeddings on the cpu scorer
 *              (queries × candidates products: the quadratic term);
 *   epoch      one hybrid-sampler epoch (parallel groups / batch steps) of the tiny
 *              synthetic encoder on tfjs-wasm: sample, tokenize, step.
 * Each column also shows its growth against the 1× row: linear cost grows like
 * the data (4×, 16×), the quadratic evaluation like its square.
 */
import os from 'node:os';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDatasetFromPaths } from '../src/cli/load-files.ts';
import { bm25Model } from '../src/core/bm25/search.ts';
import { buildEncoder, shapeNamed } from '../src/core/encoder/synthetic.ts';
import { evaluateDataset } from '../src/core/eval/evaluate.ts';
import { denseModel } from '../src/core/eval/scoring-model.ts';
import { padBatch } from '../src/core/tokenize/batch.ts';
import { LabTokenizer } from '../src/core/tokenize/tokenizer.ts';
import { AdamW } from '../src/core/train/optimizer.ts';
import { buildTrainingPool } from '../src/core/train/pool.ts';
import { BatchSampler } from '../src/core/train/samplers/index.ts';
import { trainStep } from '../src/core/train/step.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { randomMatrix } from './eval.ts';

const DATA = fileURLToPath(new URL('../../shared/data/xquad-r/', import.meta.url));
const TOKENIZER = fileURLToPath(new URL('../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const BATCH = 16;
const MAX_LENGTH = 128;

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function seconds(f: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

/** The first `articles` articles of every language file, written to `dir`; returns the paths and their bytes. */
function slice(dir: string, articles: number): { paths: string[]; bytes: number } {
  const paths: string[] = [];
  let bytes = 0;
  for (const f of readdirSync(DATA).filter((x) => x.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(join(DATA, f), 'utf8')) as { data: unknown[]; version?: string };
    const p = join(dir, f);
    writeFileSync(p, JSON.stringify({ ...doc, data: doc.data.slice(0, articles) }));
    bytes += statSync(p).size;
    paths.push(p);
  }
  return { paths, bytes };
}

interface Row { scale: number; articles: number; queries: number; passages: number; mb: number; ingest: number; tokenize: number; bm25: number; dense: number; steps: number; epoch: number }

export async function run(argv: string[]): Promise<void> {
  const smoke = argv.includes('--smoke');
  const base = Number(arg(argv, '--base-articles') ?? (smoke ? 1 : 3));
  const scales = (arg(argv, '--scales') ?? (smoke ? '1,2' : '1,4,16')).split(',').map(Number);
  const dim = Number(arg(argv, '--dim') ?? 384);
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}; training on tfjs-wasm (one thread in Node)`);
  await initNodeBackend('wasm');
  const tok = await LabTokenizer.fromSource({ tokenizerJson: new Uint8Array(readFileSync(TOKENIZER)) });
  const shape = shapeNamed('tiny');
  const rows: Row[] = [];
  const dir = mkdtempSync(join(os.tmpdir(), 'lab-scale-'));
  try {
    for (const k of scales) {
      const articles = Math.min(48, k * base);
      const files = slice(dir, articles);
      let ds!: Awaited<ReturnType<typeof loadDatasetFromPaths>>;
      const ingest = await seconds(async () => { ds = await loadDatasetFromPaths(files.paths); });
      const texts = [...ds.queries.map((q) => q.text), ...ds.passages.map((p) => p.text)];
      const tokenize = await seconds(() => tok.encodeBatch(texts, { maxLength: MAX_LENGTH }));
      const bm25 = await seconds(() => evaluateDataset(ds, bm25Model()));
      const qe = randomMatrix(ds.queries.length, dim, 1);
      const pe = randomMatrix(ds.passages.length, dim, 2);
      const dense = await seconds(() => evaluateDataset(ds, denseModel('random', qe, pe, { backend: 'cpu' })));
      // One epoch: as many hybrid batches as the pool has parallel groups / batch size.
      const pool = buildTrainingPool(ds);
      const steps = Math.ceil(pool.groups.length / BATCH);
      const enc = buildEncoder(shape);
      const opt = new AdamW({ weightDecay: 0.01 });
      const sampler = new BatchSampler(pool, { kind: 'hybrid', batchSize: BATCH }, { seed: 1 });
      const epoch = await seconds(async () => {
        for (let s = 0; s < steps; s++) {
          const b = sampler.next(0.5);
          const t = [...b.pairs.map((p) => p.query), ...b.pairs.map((p) => p.positive)];
          const padded = padBatch(tok.encodeBatch(t, { maxLength: MAX_LENGTH }), t.map((_, i) => i), tok.padId);
          const micro = [{ tokens: { ids: padded.inputIds, mask: padded.attentionMask, batch: padded.batchSize, seq: padded.seqLen }, numQueries: b.pairs.length }];
          await trainStep(enc, micro, opt, { lr: 3e-5, maxGradNorm: 1 });
        }
      });
      opt.dispose();
      enc.dispose();
      rows.push({ scale: k, articles, queries: ds.queries.length, passages: ds.passages.length, mb: files.bytes / 1e6, ingest, tokenize, bm25, dense, steps, epoch });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r0 = rows[0]!;
  const g = (v: number, v0: number): string => `${v.toFixed(2)} (${(v / v0).toFixed(1)}×)`;
  console.log(`\nXQuAD-R, first articles × scale, 11 languages; dense: random normal ${dim}-d on the cpu scorer; epoch: tiny encoder, batch ${BATCH}, max length ${MAX_LENGTH}`);
  console.log('seconds (growth vs the first row)');
  console.log('| scale | articles | questions | candidates | MB | ingest | tokenize | BM25 eval | dense eval | epoch steps | epoch |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.scale}× | ${r.articles} | ${r.queries} | ${r.passages} | ${r.mb.toFixed(1)} | ${g(r.ingest, r0.ingest)} | ${g(r.tokenize, r0.tokenize)} | ${g(r.bm25, r0.bm25)} | ${g(r.dense, r0.dense)} | ${r.steps} | ${g(r.epoch, r0.epoch)} |`);
  }
}
