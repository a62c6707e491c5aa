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
 * What one measure sees of a query: the ranks of its relevant documents,
 * ascending (Infinity = never retrieved), their count R, and the judged
 * labels with ranks (for graded measures).
 */
export interface RankedRelevant {
  relRanks: readonly number[];
  R: number;
  judged: JudgedRanks;
}

/** One measure: its trec_eval name, what a person reads, its cutoff, and how it is computed from the ranks. */
export interface MetricDef {
  name: MetricName;
  label: string;
  cutoff?: number;
  /** The trec_eval call that gives the same number (`-c` always). */
  trecEval: string;
  fn(q: RankedRelevant): number;
}

const within = (q: RankedRelevant, k: number): number => {
  let c = 0;
  for (const r of q.relRanks) if (r <= k) c++;
  return c;
};
const recall = (k: number) => (q: RankedRelevant) => (q.R > 0 ? within(q, k) / q.R : 0);
const success = (k: number) => (q: RankedRelevant) => ((q.relRanks[0] ?? Infinity) <= k ? 1 : 0);

/**
 * The metric table: the one place a measure is defined, read by the
 * evaluator, the results object, `lab metrics` and the page's metric picker.
 */
export const METRICS: readonly MetricDef[] = [
  {
    name: 'map', label: 'mAP', trecEval: '-m map',
    // AP: precision at each relevant retrieved document, over all relevant (not min(k, R)).
    fn: (q) => {
      let ap = 0;
      for (let i = 0; i < q.R; i++) {
        const r = q.relRanks[i]!;
        if (!Number.isFinite(r)) break;
        ap += (i + 1) / r;
      }
      return q.R > 0 ? ap / q.R : 0;
    },
  },
  { name: 'ndcg_cut_10', label: 'nDCG@10', cutoff: 10, trecEval: '-M 100 -m ndcg_cut.10', fn: (q) => ndcgAt(q.judged, 10) },
  { name: 'recall_1', label: 'Recall@1', cutoff: 1, trecEval: '-m recall.1', fn: recall(1) },
  { name: 'recall_10', label: 'Recall@10', cutoff: 10, trecEval: '-m recall.10', fn: recall(10) },
  { name: 'recall_100', label: 'Recall@100', cutoff: 100, trecEval: '-m recall.100', fn: recall(100) },
  {
    name: 'recip_rank_10', label: 'MRR@10', cutoff: 10, trecEval: '-M 10 -m recip_rank',
    fn: (q) => { const first = q.relRanks[0] ?? Infinity; return first <= 10 ? 1 / first : 0; },
  },
  { name: 'success_1', label: 'Success@1', cutoff: 1, trecEval: '-m success.1', fn: success(1) },
  { name: 'success_10', label: 'Success@10', cutoff: 10, trecEval: '-m success.10', fn: success(10) },
  { name: 'success_100', label: 'Success@100', cutoff: 100, trecEval: '-m success.100', fn: success(100) },
];

/** The measures `lab metrics` prints (trec_eval's usual four). */
export const TREC_MEASURES = ['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10'] as const satisfies readonly MetricName[];

/**
 * All measures for one judged query. Throws nothing: a query whose judged
 * documents were all missed gets zeros (trec_eval `-c`). Callers must not
 * pass unjudged queries (numRelevant = 0): they have no defined AP.
 */
export function queryMetrics(j: JudgedRanks): MetricValues {
  const relRanks: number[] = [];
  for (let i = 0; i < j.rels.length; i++) if (j.rels[i]! >= RELEVANCE_THRESHOLD) relRanks.push(j.ranks[i]!);
  relRanks.sort((a, b) => a - b);
  const q: RankedRelevant = { relRanks, R: relRanks.length, judged: j };
  const out = {} as MetricValues;
  for (const m of METRICS) out[m.name] = m.fn(q);
  return out;
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
