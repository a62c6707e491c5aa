/**
 * trec_eval over a run and qrels from any tool (`npm run lab -- metrics`):
 * each query's documents are ordered by the tie rule (score desc, docid
 * desc; the rank column is ignored) and measured with the same
 * `queryMetrics` the evaluator uses, with trec_eval's `-c` semantics: every
 * query of the qrels is a judged query (num_q), judged queries missing from
 * the run count 0, queries whose judgments are all 0 count 0 in every measure
 * (as trec_eval does: it divides by no relevant document and reports 0), run
 * queries absent from the qrels are ignored. Checked against trec_eval 10.0
 * (test/unit/eval/trec-eval-golden.test.ts). Equivalent trec_eval calls:
 * `-c -m map`, `-c -M 100 -m ndcg_cut.10`, `-c -m recall.100`,
 * `-c -M 10 -m recip_rank`.
 */
import { dict, own } from '../ids.ts';
import type { Qrels } from '../dataset/types.ts';
import { numRelevant, queryMetrics, TREC_MEASURES } from './metrics.ts';
import { compareDocIds, compareRanked, docIdTieKeys } from './tie-rule.ts';
import type { Run } from './trec.ts';

export type TrecMeasures = Record<(typeof TREC_MEASURES)[number], number>;

export interface RunEvaluation {
  /** Means over judged queries, plus their count. */
  summary: TrecMeasures & { num_q: number };
  perQuery: Record<string, TrecMeasures>;
  /** Queries in the qrels with no relevant document (counted as 0, as trec_eval does). */
  noRelevant: number;
  /** Queries in the run that the qrels do not mention (ignored). */
  notInQrels: number;
  /** Judged queries with no line in the run (counted as 0). */
  missingFromRun: number;
}

export function evaluateRun(qrels: Qrels, run: Run): RunEvaluation {
  const perQuery = dict<TrecMeasures>(); // keyed by user qids: "__proto__" must be an ordinary key
  const pick = (m: Record<string, number>): TrecMeasures => Object.fromEntries(TREC_MEASURES.map((k) => [k, m[k]!])) as TrecMeasures;
  const sum = pick(Object.fromEntries(TREC_MEASURES.map((k) => [k, 0])));
  let noRelevant = 0;
  let missingFromRun = 0;
  const qids = Object.keys(qrels).sort(compareDocIds);
  for (const qid of qids) {
    const judged = qrels[qid]!;
    const docs = Object.keys(judged).filter((d) => judged[d]! > 0);
    const rels = docs.map((d) => judged[d]!);
    const entries = run.get(qid);
    if (!entries) missingFromRun++;
    if (numRelevant({ rels, ranks: rels }) === 0) {
      noRelevant++;
      perQuery[qid] = pick(Object.fromEntries(TREC_MEASURES.map((k) => [k, 0])));
      continue;
    }
    const rankOf = rankMap(entries);
    const m = queryMetrics({ rels, ranks: docs.map((d) => rankOf.get(d) ?? Infinity) });
    const t = pick(m);
    perQuery[qid] = t;
    for (const k of TREC_MEASURES) sum[k] += t[k];
  }
  const n = Object.keys(perQuery).length;
  let notInQrels = 0;
  for (const qid of run.keys()) if (own(qrels, qid) === undefined) notInQrels++;
  const mean = (v: number): number => (n > 0 ? v / n : 0);
  return {
    summary: { ...pick(Object.fromEntries(TREC_MEASURES.map((k) => [k, mean(sum[k])]))), num_q: n },
    perQuery,
    noRelevant,
    notInQrels,
    missingFromRun,
  };
}

/** docid -> 1-based rank under the tie rule. */
function rankMap(entries: { docids: string[]; scores: number[] } | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!entries) return out;
  const { docids, scores } = entries;
  const idx = Array.from(docids.keys());
  const key = docIdTieKeys(docids);
  idx.sort((a, b) => compareRanked(scores[a]!, key[a]!, scores[b]!, key[b]!));
  idx.forEach((i, r) => out.set(docids[i]!, r + 1));
  return out;
}
