/** Loads test/fixtures/eval/golden.json (written by scripts/golden_eval.py) into Datasets and embedding matrices. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset, Qrels } from '../../../src/core/dataset/types.ts';
import type { EmbeddingMatrix, Similarity } from '../../../src/core/eval/scorer.ts';
import type { MetricValues } from '../../../src/core/eval/metrics.ts';

export interface GoldenCase {
  name: string;
  similarity: Similarity;
  queries: number[][];
  candidates: number[][];
  queryIds: string[];
  candidateIds: string[];
  qrels: Qrels;
  expected: { perQuery: Record<string, MetricValues>; mean: MetricValues; numJudged: number; numUnjudged: number };
  sklearnAp?: Record<string, number>;
  maxSklearnTieGap?: number;
}

export interface GoldenLareqa {
  languages: string[];
  queries: { id: string; lang: string; group: string }[];
  queryEmbeddings: number[][];
  candidates: { id: string; lang: string }[];
  candidateEmbeddings: number[][];
  qrels: Qrels;
  expected: {
    settings: Record<string, { macro: MetricValues; pairs: Record<string, MetricValues & { num_q: number; num_skipped: number }> }>;
    languageBias: { macro: number; byQueryLang: Record<string, number>; pairs: Record<string, { meanRankGap: number; num_q: number }> };
  };
}

export interface Golden {
  cases: GoldenCase[];
  lareqa: GoldenLareqa;
}

export function loadGolden(): Golden {
  const path = fileURLToPath(new URL('../../fixtures/eval/golden.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Golden;
}

export function matrix(rows: number[][]): EmbeddingMatrix {
  const dim = rows[0]?.length ?? 1;
  return { rows: rows.length, dim, data: Float32Array.from(rows.flat()) };
}

/** A single-pool case as a one-language MIRACL-style dataset (the mono protocol is exactly one pool). */
export function caseDataset(c: GoldenCase): Dataset {
  return {
    name: c.name,
    format: 'miracl',
    languages: ['en'],
    queries: c.queryIds.map((id) => ({ id, lang: 'en', text: id, group: id })),
    passages: c.candidateIds.map((id) => ({ id, lang: 'en', text: id })),
    qrels: c.qrels,
    pairs: [],
    diagnostics: [],
  };
}

export function lareqaDataset(g: GoldenLareqa): Dataset {
  return {
    name: 'golden-lareqa',
    format: 'lareqa',
    languages: g.languages,
    queries: g.queries.map((q) => ({ ...q, text: q.id })),
    passages: g.candidates.map((p) => ({ ...p, text: p.id, group: p.id.split('/')[1]! })),
    qrels: g.qrels,
    pairs: [],
    diagnostics: [],
  };
}
