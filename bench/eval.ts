/**
 * `npm run bench -- eval [--queries N] [--dim D] [--backends cpu,tfjs-wasm] [--dense-backends wasm,webgpu] [--minilm-sample N] [--no-dense] [--no-torch]`
 *
 * Time to score and evaluate all of XQuAD-R (13,090 questions x 13,014
 * candidate sentences) in the three settings (one pass gives mono, cross,
 * multi and language bias) with seeded random 384-d embeddings, on the CPU
 * scorer (the reference) and on tfjs-wasm; then BM25 indexing, search and
 * the full BM25 evaluation. Prints queries/second and the ratio to the CPU
 * run measured in the same process, with the machine. Then dense evaluation
 * of the same data by real encoders (bench/dense-eval.ts) next to PyTorch.
 */
import os from 'node:os';
import { runDenseEval } from './dense-eval.ts';
import { mulberry32 } from '../src/core/random.ts';
import type { Dataset } from '../src/core/dataset/types.ts';
import { loadDatasetFromPaths } from '../src/cli/load-files.ts';
import { evaluateDataset } from '../src/core/eval/evaluate.ts';
import { denseModel, type DenseBackend, type ScoringModel } from '../src/core/eval/scoring-model.ts';
import type { RowScorer } from '../src/core/eval/scorer.ts';
import { bm25Model, indexPassages } from '../src/core/bm25/search.ts';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DATA = fileURLToPath(new URL('../../shared/data/xquad-r/', import.meta.url));

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Seeded normal(0, 1) floats (mulberry32 + Box-Muller). */
export function randomMatrix(rows: number, dim: number, seed: number): { rows: number; dim: number; data: Float32Array } {
  const r = mulberry32(seed);
  const u = (): number => 1 - r(); // (0, 1]: log(u) stays finite
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { rows, dim, data };
}

/** Wraps a model so the time spent inside scoreRows (the matmuls) is measured apart from ranking + metrics. */
function timed(model: ScoringModel): { model: ScoringModel; scoringMs: () => number } {
  let ms = 0;
  return {
    scoringMs: () => ms,
    model: {
      ...model,
      async scorer(req): Promise<RowScorer> {
        const s = await model.scorer(req);
        return {
          name: s.name,
          numQueries: s.numQueries,
          numCandidates: s.numCandidates,
          async scoreRows(a, b) {
            const t = performance.now();
            const r = await s.scoreRows(a, b);
            ms += performance.now() - t;
            return r;
          },
          dispose: () => s.dispose(),
        };
      },
    },
  };
}

export async function run(argv: string[]): Promise<void> {
  const dim = Number(arg(argv, '--dim') ?? 384);
  const maxQ = arg(argv, '--queries');
  const backends = (arg(argv, '--backends') ?? 'cpu,tfjs-wasm').split(',') as DenseBackend[];
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${os.platform()} ${os.release()}, node ${process.version}`);
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on this machine slows every figure alike)`);

  const files = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort().map((f) => DATA + f);
  let ds: Dataset = await loadDatasetFromPaths(files);
  if (maxQ) ds = { ...ds, queries: ds.queries.filter((_, i) => i % Math.ceil(ds.queries.length / Number(maxQ)) === 0) };
  const Q = ds.queries.length;
  console.log(`data: ${ds.name}, ${Q} queries x ${ds.passages.length} candidates, ${ds.languages.length} languages; random ${dim}-d embeddings, cosine`);

  const qe = randomMatrix(Q, dim, 1);
  const pe = randomMatrix(ds.passages.length, dim, 2);
  const rows: { what: string; seconds: number; qps: number; scoring?: number; ratio?: number }[] = [];
  let reference: number | undefined;
  let refMap: number | undefined;
  for (const backend of backends) {
    const { model, scoringMs } = timed(denseModel('random', qe, pe, { backend }));
    const t = performance.now();
    const r = await evaluateDataset(ds, model);
    const sec = (performance.now() - t) / 1000;
    if (backend === 'cpu') {
      reference = sec;
      refMap = r.settings.multi!.macro.map;
    } else if (refMap !== undefined) {
      const d = Math.abs(r.settings.multi!.macro.map - refMap);
      console.log(`  ${backend}: multi macro mAP differs from cpu by ${d.toExponential(2)} (float32 vs float64 scores)`);
    }
    rows.push({ what: `dense ${backend} (score + 3 settings + bias)`, seconds: sec, qps: Q / sec, scoring: scoringMs() / 1000 });
  }

  // BM25: index, search (score rows for every query, pooled statistics), full evaluation (per-language + pooled passes).
  let t = performance.now();
  const index = indexPassages(ds);
  const indexSec = (performance.now() - t) / 1000;
  rows.push({ what: `bm25 index (${ds.passages.length} passages, ${index.numTerms} terms)`, seconds: indexSec, qps: NaN });
  t = performance.now();
  const row = new Float64Array(index.numDocs);
  for (const q of ds.queries) {
    row.fill(0);
    index.scoreInto(index.queryTerms(q.text, q.lang), row, 'pool');
  }
  const searchSec = (performance.now() - t) / 1000;
  rows.push({ what: 'bm25 search (analyze + score all candidates)', seconds: searchSec, qps: Q / searchSec });
  const { model: bm, scoringMs } = timed(bm25Model());
  t = performance.now();
  await evaluateDataset(ds, bm);
  const bmSec = (performance.now() - t) / 1000;
  rows.push({ what: 'bm25 full evaluation (2 passes + 3 settings + bias)', seconds: bmSec, qps: Q / bmSec, scoring: scoringMs() / 1000 });

  for (const r of rows) if (reference !== undefined && Number.isFinite(r.qps)) r.ratio = reference / r.seconds;
  console.log('');
  console.log('what'.padEnd(58) + 'seconds'.padStart(9) + 'scoring s'.padStart(11) + 'queries/s'.padStart(11) + 'speed vs cpu'.padStart(14));
  for (const r of rows) {
    console.log(
      r.what.padEnd(58) +
        r.seconds.toFixed(2).padStart(9) +
        (r.scoring !== undefined ? r.scoring.toFixed(2) : '').padStart(11) +
        (Number.isFinite(r.qps) ? r.qps.toFixed(1) : '').padStart(11) +
        (r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '').padStart(14),
    );
  }
  console.log(`load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(JSON.stringify({ suite: 'eval', cpu: cpu[0]?.model, cores: cpu.length, queries: Q, candidates: ds.passages.length, dim, rows }));
  if (!argv.includes('--no-dense')) await runDenseEval(argv);
}
