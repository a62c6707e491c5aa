/**
 * A small synthetic LAReQA-like dataset with seeded embeddings, shared by the
 * browser harness (src/harness/eval.ts) and the Playwright spec that checks it
 * against the Node core (test/browser/eval-scorers.spec.ts). Pure TypeScript,
 * no DOM and no Node APIs, so both sides build the very same bytes.
 *
 * Each question group g has a query and an answer sentence in every language
 * (LAReQA: 1 relevant candidate per language, all relevant to every query of
 * the group); each language also has distractor sentences. Two embedding cases:
 * - 'int-dot': small integers with 'dot' similarity: every float32 product and
 *   sum is exact, so every backend computes the same scores bit for bit, and
 *   there are many exact score ties (resolved by the tie rule, docid desc).
 * - 'float-cosine': random floats with 'cosine': float32 (tfjs) and float64
 *   (CPU) scores differ by ~1e-7, so rankings agree wherever neighbouring
 *   scores are further apart than that (see scoreMargins).
 */
import type { Dataset, Passage, Query, Qrels } from '../core/dataset/types.ts';
import * as tf from '@tensorflow/tfjs';
import { denseModel, evaluateDataset, type DenseBackend, type EmbeddingMatrix, type EvalResults, type MetricValues, type Similarity } from '../core/eval/index.ts';
import { mulberry32, shuffle } from '../core/random.ts';

export interface EvalFixtureSpec {
  langs: string[];
  groups: number;
  /** Candidates per language (>= groups; the rest are distractors). */
  candidatesPerLang: number;
  dim: number;
  seed: number;
}

export const EVAL_FIXTURE: EvalFixtureSpec = { langs: ['de', 'en', 'es'], groups: 60, candidatesPerLang: 80, dim: 16, seed: 20261122 };

export type EvalCase = 'int-dot' | 'float-cosine';

export interface EvalFixture {
  dataset: Dataset;
  queries: EmbeddingMatrix;
  passages: EmbeddingMatrix;
  similarity: Similarity;
}

/** Fixed evaluation date so results objects compare equal. */
export const EVAL_FIXTURE_DATE = new Date('2026-01-01T00:00:00Z');

export function makeEvalDataset(spec: EvalFixtureSpec = EVAL_FIXTURE): Dataset {
  const rnd = mulberry32(spec.seed);
  const queries: Query[] = [];
  const passages: Passage[] = [];
  const qrels: Qrels = {};
  // Passage slot s of language l: sentence s of paragraph floor(s / 4) of article floor(s / 20),
  // shuffled per language so answers are not simply the first ids.
  const answerSlot: number[][] = spec.langs.map(() => shuffle(Array.from({ length: spec.candidatesPerLang }, (_, i) => i), rnd).slice(0, spec.groups));
  const idOf = (lang: string, s: number): string => `${lang}/${Math.floor(s / 20)}/${Math.floor(s / 4) % 5}/${s % 4}`;
  spec.langs.forEach((lang) => {
    for (let s = 0; s < spec.candidatesPerLang; s++) {
      passages.push({ id: idOf(lang, s), lang, text: `${lang} sentence ${s}`, group: String(Math.floor(s / 20)) });
    }
  });
  for (let g = 0; g < spec.groups; g++) {
    const rel: Record<string, number> = {};
    spec.langs.forEach((l, li) => (rel[idOf(l, answerSlot[li]![g]!)] = 1));
    for (const lang of spec.langs) {
      const id = `${lang}/q${g}`;
      queries.push({ id, lang, text: `${lang} question ${g}`, group: `q${g}` });
      qrels[id] = { ...rel };
    }
  }
  return { name: 'synthetic-lareqa', format: 'lareqa', languages: [...spec.langs].sort(), queries, passages, qrels, pairs: [], diagnostics: [] };
}

/**
 * Embeddings for a case: a group vector shared by a question's queries and
 * answers plus per-row noise; distractors are pure noise. Rows follow
 * dataset.queries / dataset.passages.
 */
export function makeEvalFixture(kind: EvalCase, spec: EvalFixtureSpec = EVAL_FIXTURE): EvalFixture {
  const dataset = makeEvalDataset(spec);
  const rnd = mulberry32(spec.seed ^ (kind === 'int-dot' ? 0x1111 : 0x2222));
  const { dim } = spec;
  const int = kind === 'int-dot';
  // int: values in {-2..2}; float: uniform in [-1, 1).
  const draw = (): number => (int ? Math.floor(rnd() * 5) - 2 : rnd() * 2 - 1);
  const groupVec = new Map<string, number[]>();
  const vecOf = (group: string): number[] => {
    let v = groupVec.get(group);
    if (!v) groupVec.set(group, (v = Array.from({ length: dim }, draw)));
    return v;
  };
  const answerGroup = new Map<string, string>();
  for (const q of dataset.queries) for (const d of Object.keys(dataset.qrels[q.id] ?? {})) answerGroup.set(d, q.group);
  const row = (group: string | undefined): number[] => {
    const base = group === undefined ? undefined : vecOf(group);
    // int: group + noise in {-1, 0, 1} on ~half the dims; float: group + noise in [-0.8, 0.8).
    return Array.from({ length: dim }, (_, d) => {
      const n = int ? (rnd() < 0.5 ? Math.floor(rnd() * 3) - 1 : 0) : (rnd() * 2 - 1) * 0.8;
      return base ? base[d]! + n : draw();
    });
  };
  const qData = new Float32Array(dataset.queries.length * dim);
  dataset.queries.forEach((q, i) => qData.set(row(q.group), i * dim));
  const pData = new Float32Array(dataset.passages.length * dim);
  dataset.passages.forEach((p, i) => pData.set(row(answerGroup.get(p.id)), i * dim));
  return {
    dataset,
    queries: { rows: dataset.queries.length, dim, data: qData },
    passages: { rows: dataset.passages.length, dim, data: pData },
    similarity: int ? 'dot' : 'cosine',
  };
}

/**
 * Float64 margins of a fixture's multilingual-pool scores: the smallest gap
 * between neighbouring scores within each query's top (k + 1), and the
 * smallest gap between a relevant candidate's score and any other
 * candidate's. When both exceed the float32 error of a backend's scores, that
 * backend must give the same top-k lists and the same rank to every relevant
 * candidate (in the pool and hence in every language segment), so identical
 * metrics. Exact ties (gap 0) are decided by the tie rule on exact
 * scores and are reported separately.
 */
export function scoreMargins(f: EvalFixture, k = 10): { topGap: number; relevantGap: number; exactTies: number } {
  const { queries: Q, passages: P, dataset } = f;
  const dim = Q.dim;
  const inv = (m: EmbeddingMatrix, r: number): number => {
    if (f.similarity === 'dot') return 1;
    let s = 0;
    for (let d = 0; d < dim; d++) s += m.data[r * dim + d]! ** 2;
    return s > 0 ? 1 / Math.sqrt(s) : 0;
  };
  let topGap = Infinity;
  let relevantGap = Infinity;
  let exactTies = 0;
  const pInv = Array.from({ length: P.rows }, (_, r) => inv(P, r));
  const pIndex = new Map(dataset.passages.map((p, i) => [p.id, i] as const));
  for (let q = 0; q < Q.rows; q++) {
    const qi = inv(Q, q);
    const s = new Float64Array(P.rows);
    for (let c = 0; c < P.rows; c++) {
      let x = 0;
      for (let d = 0; d < dim; d++) x += Q.data[q * dim + d]! * P.data[c * dim + d]!;
      s[c] = x * qi * pInv[c]!;
    }
    const sorted = Float64Array.from(s).sort().reverse();
    for (let i = 0; i < Math.min(k, sorted.length - 1); i++) {
      const g = sorted[i]! - sorted[i + 1]!;
      if (g === 0) exactTies++;
      else topGap = Math.min(topGap, g);
    }
    for (const docid of Object.keys(dataset.qrels[dataset.queries[q]!.id] ?? {})) {
      const r = pIndex.get(docid)!;
      for (let c = 0; c < P.rows; c++) {
        if (c === r) continue;
        const g = Math.abs(s[r]! - s[c]!);
        if (g === 0) exactTies++;
        else relevantGap = Math.min(relevantGap, g);
      }
    }
  }
  return { topGap, relevantGap, exactTies };
}

export interface EvalRunOutput {
  results: EvalResults;
  /** `${setting}|${pair}|${queryId}` → that query's measures. */
  perQuery: Record<string, MetricValues>;
  /** Multilingual pool, top 10 per query id. */
  top: Record<string, { docids: string[]; scores: number[] }>;
  /** tf.getBackend() right after the evaluation (null for the CPU scorer). */
  tfBackend: string | null;
  ms: number;
}

export const TOP_K = 10;

/** One evaluation of a fixture on one backend; also what the Node side runs for 'cpu'. */
export async function evaluateFixture(f: EvalFixture, backend: DenseBackend): Promise<EvalRunOutput> {
  const perQuery: Record<string, MetricValues> = {};
  const top: EvalRunOutput['top'] = {};
  const model = denseModel('synthetic', f.queries, f.passages, { similarity: f.similarity, backend });
  const t0 = performance.now();
  const results = await evaluateDataset(f.dataset, model, {
    date: EVAL_FIXTURE_DATE,
    perQuery: (setting, pair, qid, m) => (perQuery[`${setting}|${pair}|${qid}`] = m),
    run: { setting: 'multi', depth: TOP_K, write: (qid, docids, scores) => (top[qid] = { docids: [...docids], scores: Array.from(scores) }) },
  });
  const ms = performance.now() - t0;
  return { results, perQuery, top, tfBackend: backend === 'cpu' ? null : tf.getBackend(), ms };
}
