/**
 * `lab metrics` against trec_eval itself: the committed cases (seeded random
 * qrels and runs with graded relevance, queries judged only 0, judged queries
 * missing from the run, unknown run queries and tied scores) were evaluated by
 * NIST's trec_eval 10.0 built from its source (scripts/build-trec-eval.sh,
 * scripts/make-trec-eval-golden.ts). Every measure, per query and overall,
 * and num_q must agree (trec_eval prints 4 decimals).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateRun } from '../../../src/core/eval/run-eval.ts';
import { parseQrels, parseRun } from '../../../src/core/eval/trec.ts';

interface Golden {
  cases: { name: string; qrels: string; run: string; trecEval: { all: Record<string, number>; perQuery: Record<string, Record<string, number>> } }[];
}
const golden = JSON.parse(readFileSync(new URL('../../fixtures/eval/trec-eval-golden.json', import.meta.url), 'utf8')) as Golden;
const MEASURES = ['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10'] as const;

describe('lab metrics equals trec_eval -c', () => {
  it('has cases with every hard part', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(8);
    const all = golden.cases.map((c) => c.qrels).join('');
    expect(all).toMatch(/ 3\n/); // graded
    expect(golden.cases.some((c) => Object.values(c.trecEval.perQuery).some((m) => m.map === 0))).toBe(true);
  });

  for (const c of golden.cases) {
    it(`${c.name}: num_q and every measure, overall and per query`, () => {
      const e = evaluateRun(parseQrels(c.qrels, `${c.name}.qrels`), parseRun(c.run, `${c.name}.run`));
      expect(e.summary.num_q).toBe(c.trecEval.all.num_q);
      for (const m of MEASURES) expect(Math.abs(e.summary[m] - c.trecEval.all[m]!), `${m} all`).toBeLessThanOrEqual(5e-5);
      for (const [qid, want] of Object.entries(c.trecEval.perQuery)) {
        for (const m of MEASURES) {
          if (want[m] === undefined) continue;
          expect(Math.abs(e.perQuery[qid]![m] - want[m]!), `${m} ${qid}`).toBeLessThanOrEqual(5e-5);
        }
      }
    });
  }
});
