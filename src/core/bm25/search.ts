/**
 * BM25 as the evaluator sees it: a ScoringModel whose RowScorers fill score
 * rows from a Bm25Index built over the request's candidates (title + text,
 * as Pyserini indexes MIRACL), plus a plain top-k search for one query.
 */
import type { Dataset, Lang } from '../dataset/types.ts';
import type { RowScorer } from '../eval/scorer.ts';
import type { ScoringModel, ScorerRequest } from '../eval/scoring-model.ts';
import { docIdTieKeys } from '../eval/tie-rule.ts';
import { selectTop } from '../eval/pool-pass.ts';
import { createAnalyzer, type Analyzer } from './analyzer.ts';
import { BM25_DEFAULTS, Bm25Index, type Bm25Params } from './index.ts';

export function passageText(p: { title?: string; text: string }): string {
  return p.title ? `${p.title} ${p.text}` : p.text;
}

/** Builds the index over a dataset's passages (a subset when `candidates` is given), segmented by language. */
export function indexPassages(dataset: Dataset, candidates?: Int32Array, params: Bm25Params = BM25_DEFAULTS, analyzer: Analyzer = createAnalyzer()): Bm25Index {
  const langIndex = new Map(dataset.languages.map((l, i) => [l, i] as const));
  const idx = candidates ?? Int32Array.from(dataset.passages, (_, i) => i);
  const docs = Array.from(idx, (p) => {
    const passage = dataset.passages[p]!;
    return { text: passageText(passage), lang: passage.lang, segment: langIndex.get(passage.lang) ?? 0 };
  });
  return Bm25Index.build(docs, Math.max(1, dataset.languages.length), analyzer, params);
}

export function bm25Model(params: Bm25Params = BM25_DEFAULTS): ScoringModel {
  const analyzer = createAnalyzer();
  // LAReQA asks twice (per-language and pooled statistics) for the same pool: build once.
  let cached: { dataset: Dataset; candidates: Int32Array; index: Bm25Index } | null = null;
  const indexFor = (req: ScorerRequest): Bm25Index => {
    if (cached && cached.dataset === req.dataset && sameIndices(cached.candidates, req.candidates)) return cached.index;
    const index = indexPassages(req.dataset, req.candidates, params, analyzer);
    cached = { dataset: req.dataset, candidates: req.candidates, index };
    return index;
  };
  return {
    name: 'bm25',
    poolIndependent: false,
    params: { k1: params.k1, b: params.b, analyzer: 'Intl.Segmenter words, NFKC, lowercase' },
    async scorer(req): Promise<RowScorer> {
      const index = indexFor(req);
      const terms = Array.from(req.queries, (q) => {
        const query = req.dataset.queries[q]!;
        return index.queryTerms(query.text, query.lang);
      });
      const N = index.numDocs;
      const statistics = req.statistics === 'pool' ? 'pool' : 'per-segment';
      let buf = new Float64Array(0);
      return {
        name: 'bm25',
        numQueries: terms.length,
        numCandidates: N,
        async scoreRows(q0, q1) {
          const rows = q1 - q0;
          if (buf.length < rows * N) buf = new Float64Array(rows * N);
          const out = buf.subarray(0, rows * N);
          out.fill(0);
          for (let q = q0; q < q1; q++) index.scoreInto(terms[q]!, out.subarray((q - q0) * N, (q - q0 + 1) * N), statistics);
          return out;
        },
        dispose() {
          buf = new Float64Array(0);
        },
      };
    },
  };
}

function sameIndices(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Top-k documents for one query under the tie rule (the UI's search box, quick checks). */
export function searchTopK(index: Bm25Index, ids: readonly string[], text: string, lang: Lang, k: number): { id: string; score: number }[] {
  const row = new Float64Array(index.numDocs);
  index.scoreInto(index.queryTerms(text, lang), row, 'pool');
  const top = selectTop(row, docIdTieKeys(ids), null, k);
  return Array.from(top, (i) => ({ id: ids[i]!, score: row[i]! }));
}
