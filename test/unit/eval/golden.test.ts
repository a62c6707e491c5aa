/**
 * The evaluator against scripts/golden_eval.py (numpy + scikit-learn): per
 * query, every measure, on a hand-written case, seeded random cosine
 * embeddings (tie-free, where sklearn's average_precision_score is LAReQA's
 * mAP) and integer embeddings with heavy score ties (the docid-desc tie rule).
 * CPU to 1e-9; tfjs (float32) to 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { METRIC_NAMES, type MetricValues } from '../../../src/core/eval/metrics.ts';
import { denseModel, type DenseBackend } from '../../../src/core/eval/scoring-model.ts';
import { caseDataset, lareqaDataset, loadGolden, matrix } from './golden-fixture.ts';

const golden = loadGolden();
const BACKENDS: { backend: DenseBackend; tol: number }[] = [
  { backend: 'cpu', tol: 1e-9 },
  { backend: 'tfjs-cpu', tol: 1e-5 },
  { backend: 'tfjs-wasm', tol: 1e-5 },
];

function expectClose(actual: MetricValues, expected: MetricValues, tol: number, what: string): void {
  for (const m of METRIC_NAMES) {
    const a = actual[m];
    const e = expected[m];
    if (!(Math.abs(a - e) <= tol)) throw new Error(`${what} ${m}: got ${a}, expected ${e} (tol ${tol})`);
  }
}

describe.each(BACKENDS)('golden metrics on $backend', ({ backend, tol }) => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: every query, every measure', async (_name, c) => {
    const ds = caseDataset(c);
    const model = denseModel('golden', matrix(c.queries), matrix(c.candidates), { similarity: c.similarity, backend });
    const perQuery = new Map<string, MetricValues>();
    const res = await evaluateDataset(ds, model, { perQuery: (_s, _p, qid, m) => perQuery.set(qid, m) });
    const cell = res.settings.mono!.pairs['en-en']!;
    expect(cell.num_q).toBe(c.expected.numJudged);
    expect(cell.num_skipped).toBe(c.expected.numUnjudged);
    expect([...perQuery.keys()].sort()).toEqual(Object.keys(c.expected.perQuery).sort());
    for (const [qid, exp] of Object.entries(c.expected.perQuery)) expectClose(perQuery.get(qid)!, exp, tol, `${c.name} ${qid}`);
    expectClose(cell, c.expected.mean, tol, `${c.name} mean`);
    if (c.sklearnAp) {
      expect(Object.keys(c.sklearnAp).length).toBeGreaterThan(5);
      for (const [qid, ap] of Object.entries(c.sklearnAp)) expect(Math.abs(perQuery.get(qid)!.map - ap)).toBeLessThanOrEqual(tol);
    }
  });

  it('LAReQA settings, pairs, macros and language bias', async () => {
    const g = golden.lareqa;
    const ds = lareqaDataset(g);
    const model = denseModel('golden', matrix(g.queryEmbeddings), matrix(g.candidateEmbeddings), { backend });
    const res = await evaluateDataset(ds, model);
    for (const s of ['mono', 'cross', 'multi'] as const) {
      const exp = g.expected.settings[s]!;
      const got = res.settings[s]!;
      expect(Object.keys(got.pairs).sort()).toEqual(Object.keys(exp.pairs).sort());
      for (const [pair, e] of Object.entries(exp.pairs)) {
        const cell = got.pairs[pair]!;
        expect([cell.num_q, cell.num_skipped], `${s} ${pair}`).toEqual([e.num_q, e.num_skipped]);
        expectClose(cell, e, tol, `${s} ${pair}`);
      }
      expectClose(got.macro, exp.macro, tol, `${s} macro`);
    }
    const bias = res.languageBias!;
    expect(bias.macro).toBeCloseTo(g.expected.languageBias.macro, 9);
    for (const [l, v] of Object.entries(g.expected.languageBias.byQueryLang)) expect(bias.byQueryLang[l]).toBeCloseTo(v, 9);
    for (const [p, v] of Object.entries(g.expected.languageBias.pairs)) {
      expect(bias.pairs[p]!.num_q).toBe(v.num_q);
      expect(bias.pairs[p]!.meanRankGap).toBeCloseTo(v.meanRankGap, 9);
    }
  });
});

describe('the golden fixture itself', () => {
  it('has ties that matter: sklearn (ties grouped) differs from the tie-broken AP', () => {
    const ties = golden.cases.find((c) => c.name === 'dot-ties')!;
    expect(ties.maxSklearnTieGap).toBeGreaterThan(0.01);
  });

  it('hand case: AP, nDCG@10 and MRR@10 as computed by hand', () => {
    // Ranking a(0.9), e, c, b (0.5: docid desc), d(0.1); relevant b (rel 2, rank 4), d (rel 1, rank 5), z (rel 1, not in pool).
    const h = golden.cases.find((c) => c.name === 'hand')!.expected.perQuery.h1!;
    expect(h.map).toBeCloseTo((1 / 4 + 2 / 5) / 3, 15);
    const dcg = 2 / Math.log2(5) + 1 / Math.log2(6);
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(h.ndcg_cut_10).toBeCloseTo(dcg / idcg, 15);
    expect(h.recip_rank_10).toBeCloseTo(1 / 4, 15);
    expect(h.recall_10).toBeCloseTo(2 / 3, 15);
  });
});
