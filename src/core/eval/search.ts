/**
 * One query against a dataset's candidate pool, as the explorer and the
 * drill-down show it: the top k (optionally only some languages), each with
 * its score, rank and language, and where the query's relevant candidates
 * rank — under the project's one ranking rule (tie-rule.ts), so a rank here
 * is the rank the metrics used.
 *
 * The query is either one of the dataset's (its judgments mark relevant
 * hits) or free text in a language the user names. Any ScoringModel works:
 * BM25 over the pool, or a dense model built from the query's and the
 * pool's embeddings (the caller embeds; see `denseModel`).
 */
import { LabError } from '../errors.ts';
import type { Dataset, Lang, Query } from '../dataset/types.ts';
import type { ScoringModel } from './scoring-model.ts';
import { docIdTieKeys, rankIndices } from './tie-rule.ts';

export interface SearchHit {
  id: string;
  lang: Lang;
  text: string;
  score: number;
  /** 1-based, in the searched pool. */
  rank: number;
  relevant: boolean;
}

export interface SearchResult {
  hits: SearchHit[];
  /** The query's relevant candidates in the pool with their ranks (dataset queries only). */
  relevant: { id: string; lang: Lang; rank: number }[];
  poolSize: number;
}

export interface SearchOptions {
  k: number;
  /** Only candidates of these languages (the explorer's filter); all when absent. */
  langs?: readonly Lang[];
}

/** The dataset cut to one query (a dataset query, or free text as a query with no judgments). */
export function singleQueryDataset(dataset: Dataset, query: { id: string } | { text: string; lang: Lang }): { dataset: Dataset; query: Query } {
  let q: Query;
  if ('id' in query) {
    const found = dataset.queries.find((x) => x.id === query.id);
    if (!found) throw new LabError('invalid-argument', `query ${query.id} is not in ${dataset.name}`);
    q = found;
  } else {
    const text = query.text.trim();
    if (!text) throw new LabError('invalid-argument', 'the search text is empty', {}, 'a question in any language');
    if (text.length > 2000) throw new LabError('invalid-argument', `the search text has ${text.length} characters`, {}, 'at most 2,000');
    q = { id: '__search__', lang: query.lang, text, group: '__search__' };
  }
  return { dataset: { ...dataset, queries: [q] }, query: q };
}

/** Ranks the pool for the dataset's only query (singleQueryDataset) with `model`. */
export async function searchPool(dataset: Dataset, model: ScoringModel, opts: SearchOptions): Promise<SearchResult> {
  if (dataset.queries.length !== 1) throw new LabError('invalid-argument', 'searchPool ranks one query at a time');
  if (!Number.isInteger(opts.k) || opts.k < 1 || opts.k > 1000) throw new LabError('invalid-argument', `k = ${opts.k}`, {}, 'an integer from 1 to 1000');
  const query = dataset.queries[0]!;
  const pool = Int32Array.from(dataset.passages.flatMap((p, i) => (!opts.langs || opts.langs.includes(p.lang) ? [i] : [])));
  if (pool.length === 0) throw new LabError('invalid-argument', 'no candidate in the chosen languages', {}, 'at least one language with candidates');
  const scorer = await model.scorer({ dataset, queries: Int32Array.of(0), candidates: pool, statistics: 'pool' });
  let scores: Float32Array | Float64Array;
  try {
    scores = Float64Array.from(await scorer.scoreRows(0, 1));
  } finally {
    scorer.dispose();
  }
  const ids = Array.from(pool, (i) => dataset.passages[i]!.id);
  const order = rankIndices(scores, docIdTieKeys(ids));
  const rankOf = new Int32Array(pool.length);
  order.forEach((col, r) => { rankOf[col] = r + 1; });
  const judged = dataset.qrels[query.id] ?? {};
  const isRel = (id: string) => (judged[id] ?? 0) > 0;
  const hits = Array.from(order.subarray(0, Math.min(opts.k, order.length)), (col): SearchHit => {
    const p = dataset.passages[pool[col]!]!;
    return { id: p.id, lang: p.lang, text: p.text, score: scores[col]!, rank: rankOf[col]!, relevant: isRel(p.id) };
  });
  const relevant = ids.flatMap((id, col) => (isRel(id) ? [{ id, lang: dataset.passages[pool[col]!]!.lang, rank: rankOf[col]! }] : [])).sort((a, b) => a.rank - b.rank);
  return { hits, relevant, poolSize: pool.length };
}
