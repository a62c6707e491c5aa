/**
 * Per-query retrieval metrics with trec_eval semantics (see
 * ../shared/docs/METRICS.md), computed from the ranks of the judged documents
 * alone. Every metric here depends only on *where the relevant documents
 * are*, so a scorer never has to keep a ranking: it counts, for each relevant
 * document, how many candidates rank before it (under the tie rule), and
 * hands the resulting ranks to `queryMetrics`.
 */

/** trec_eval measure names (`-m map`, `-m ndcg_cut.10` -> ndcg_cut_10, …). */
export const METRIC_NAMES = [
  'map',
  'ndcg_cut_10',
  'recall_1',
  'recall_10',
  'recall_100',
  'recip_rank_10',
  'success_1',
  'success_10',
  'success_100',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricValues = Record<MetricName, number>;

/** A document is relevant when rel >= 1 (trec_eval's default `-l 1`). */
export const RELEVANCE_THRESHOLD = 1;

/**
 * What the metrics of one query need: the judged documents with a positive
 * label, and the 1-based rank of each in the evaluated ranking
 * (`Infinity` when it was not retrieved / lies beyond the run's depth).
 */
export interface JudgedRanks {
  /** rel label of each judged document with rel > 0 (from the qrels, retrieved or not). */
  rels: ArrayLike<number>;
  /** rank of the same documents (1 = best), Infinity when not retrieved. */
  ranks: ArrayLike<number>;
}

/**
 * Number of documents with rel >= 1: queries with none are unjudged and left
 * out of every average (trec_eval default); callers count them.
 */
export function numRelevant(j: JudgedRanks): number {
  let n = 0;
  for (let i = 0; i < j.rels.length; i++) if (j.rels[i]! >= RELEVANCE_THRESHOLD) n++;
  return n;
}

/**
 * All measures for one judged query. Throws nothing: a query whose judged
 * documents were all missed gets zeros (trec_eval `-c`). Callers must not
 * pass unjudged queries (numRelevant = 0): they have no defined AP.
 */
export function queryMetrics(j: JudgedRanks): MetricValues {
  const n = j.rels.length;
  // Relevant ranks, ascending.
  const relRanks: number[] = [];
  for (let i = 0; i < n; i++) if (j.rels[i]! >= RELEVANCE_THRESHOLD) relRanks.push(j.ranks[i]!);
  relRanks.sort((a, b) => a - b);
  const R = relRanks.length;

  // AP: precision at each relevant retrieved document, over all relevant.
  let ap = 0;
  for (let i = 0; i < R; i++) {
    const r = relRanks[i]!;
    if (!Number.isFinite(r)) break;
    ap += (i + 1) / r;
  }
  ap = R > 0 ? ap / R : 0;

  const first = R > 0 ? relRanks[0]! : Infinity;
  const within = (k: number): number => {
    let c = 0;
    for (const r of relRanks) if (r <= k) c++;
    return c;
  };

  return {
    map: ap,
    ndcg_cut_10: ndcgAt(j, 10),
    recall_1: R > 0 ? within(1) / R : 0,
    recall_10: R > 0 ? within(10) / R : 0,
    recall_100: R > 0 ? within(100) / R : 0,
    recip_rank_10: first <= 10 ? 1 / first : 0,
    success_1: first <= 1 ? 1 : 0,
    success_10: first <= 10 ? 1 : 0,
    success_100: first <= 100 ? 1 : 0,
  };
}

/**
 * nDCG@k with linear gain (gain = rel) and discount log2(rank + 1); the ideal
 * DCG is built from all judged labels in the qrels. Only ranks <= k matter,
 * so "nDCG@10 over the top 100" (MIRACL, `-M 100`) is the same number.
 */
export function ndcgAt(j: JudgedRanks, k: number): number {
  let dcg = 0;
  const gains: number[] = [];
  for (let i = 0; i < j.rels.length; i++) {
    const g = j.rels[i]!;
    if (g <= 0) continue;
    gains.push(g);
    const r = j.ranks[i]!;
    if (r <= k) dcg += g / Math.log2(r + 1);
  }
  gains.sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) idcg += gains[i]! / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Running mean of metric values (one per judged query). */
export class MetricAccumulator {
  private readonly sums: MetricValues = zeroMetrics();
  count = 0;

  add(m: MetricValues): void {
    for (const name of METRIC_NAMES) this.sums[name] += m[name];
    this.count++;
  }

  /** Means over the queries added; zeros when none (callers report count 0). */
  mean(): MetricValues {
    const out = zeroMetrics();
    if (this.count === 0) return out;
    for (const name of METRIC_NAMES) out[name] = this.sums[name] / this.count;
    return out;
  }
}

export function zeroMetrics(): MetricValues {
  return Object.fromEntries(METRIC_NAMES.map((n) => [n, 0])) as MetricValues;
}

/** Unweighted mean of several metric sets (the macro average over pairs). */
export function macroAverage(values: readonly MetricValues[]): MetricValues {
  const acc = new MetricAccumulator();
  for (const v of values) acc.add(v);
  return acc.mean();
}
