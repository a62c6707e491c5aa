/**
 * The evaluator on the real XQuAD-R (11 languages, 13,090 questions, 13,014
 * candidate sentences): the qrels' shape, a perfect ranking, and the CPU and
 * tfjs scorers agreeing on the full pool.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { evaluateDataset, settingQrels, type RunSink } from '../../../src/core/eval/evaluate.ts';
import type { RowScorer } from '../../../src/core/eval/scorer.ts';
import { denseModel, type ScoringModel } from '../../../src/core/eval/scoring-model.ts';
import type { EvalResults } from '../../../src/core/eval/results.ts';
import { loadXquadR, rng } from './xquad-r.ts';

let ds: Dataset;
beforeAll(async () => {
  ds = await loadXquadR();
});

/** Scores 1 for a query's relevant candidates and 0 elsewhere: the best possible ranking. */
function oracle(): ScoringModel {
  return {
    name: 'oracle',
    poolIndependent: true,
    params: {},
    async scorer(req): Promise<RowScorer> {
      const pos = new Map(Array.from(req.candidates, (p, i) => [req.dataset.passages[p]!.id, i] as const));
      const N = req.candidates.length;
      return {
        name: 'oracle',
        numQueries: req.queries.length,
        numCandidates: N,
        async scoreRows(q0, q1) {
          const out = new Float32Array((q1 - q0) * N);
          for (let q = q0; q < q1; q++) {
            const judged = req.dataset.qrels[req.dataset.queries[req.queries[q]!]!.id] ?? {};
            for (const [d, rel] of Object.entries(judged)) if (rel > 0) out[(q - q0) * N + pos.get(d)!] = 1;
          }
          return out;
        },
        dispose() {},
      };
    },
  };
}

describe('XQuAD-R', () => {
  it('has 11 relevant candidates per question, one in each language', () => {
    expect(ds.languages).toHaveLength(11);
    expect(ds.queries).toHaveLength(13090);
    expect(ds.passages).toHaveLength(13014);
    const lang = new Map(ds.passages.map((p) => [p.id, p.lang] as const));
    for (const q of ds.queries) {
      const rel = Object.entries(ds.qrels[q.id] ?? {}).filter(([, r]) => r >= 1);
      expect(rel).toHaveLength(11);
      expect(new Set(rel.map(([d]) => lang.get(d))).size).toBe(11);
    }
  });

  it('a ranking that puts the relevant candidates first scores mAP 1 everywhere and rank distance 10', async () => {
    const r = await evaluateDataset(ds, oracle());
    expect(Object.keys(r.settings.mono!.pairs)).toHaveLength(11);
    expect(Object.keys(r.settings.cross!.pairs)).toHaveLength(110);
    expect(Object.keys(r.settings.multi!.pairs)).toHaveLength(11);
    for (const s of ['mono', 'cross', 'multi'] as const) {
      expect(r.settings[s]!.macro.map).toBe(1);
      expect(r.settings[s]!.macro.ndcg_cut_10).toBeCloseTo(1, 12);
      for (const cell of Object.values(r.settings[s]!.pairs)) expect([cell.map, cell.num_q, cell.num_skipped]).toEqual([1, 1190, 0]);
    }
    // Multi: 11 relevant at ranks 1..11, so R@10 = 10/11 and the rank distance is exactly 10.
    expect(r.settings.multi!.macro.recall_10).toBeCloseTo(10 / 11, 12);
    expect(r.languageBias!.macro).toBe(10);
    for (const l of ds.languages) expect([r.languageBias!.byQueryLang[l], r.languageBias!.numQ[l]]).toEqual([10, 1190]);
    expect(Object.keys(r.languageBias!.pairs)).toHaveLength(110);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('cross-setting qrels use {query id}@{language} and hold one relevant sentence each', () => {
    const q = settingQrels(ds, 'cross');
    expect(q).toHaveLength(13090 * 10);
    expect(q[0]!.qid).toMatch(/^ar\/[0-9a-f]+@de$/);
    expect(q[0]!.docid.startsWith('de/')).toBe(true);
    expect(settingQrels(ds, 'mono').every((e) => e.docid.split('/')[0] === e.qid.split('/')[0])).toBe(true);
  });

  it('tfjs (wasm, cpu) and the CPU scorer give identical rankings on the full pool', async () => {
    // Integer embeddings with 'dot': every product and sum is exact in float32
    // and float64, so the scorers must agree bit for bit, and scores tie
    // massively (dot products of 8 values in -2..2), which exercises the tie
    // rule on the real pool. To keep CI quick (random scores are the
    // evaluator's worst case: nothing falls below the relevant candidates),
    // the 1,190 English queries go against the whole 13,014-sentence pool
    // (tfjs-cpu, whose kernels are plain JS, takes the first 300); the full results object (every pair, measure and bias cell) and
    // every query's multilingual top 100 and cross-setting top 10 are compared.
    const dim = 8;
    const r = rng(1234);
    const mk = (rows: number) => ({ rows, dim, data: Float32Array.from({ length: rows * dim }, () => Math.floor(r() * 5) - 2) });
    const en = ds.queries.filter((q) => q.lang === 'en');
    const qe = mk(en.length);
    const pe = mk(ds.passages.length);
    const runOf = async (backend: 'cpu' | 'tfjs-wasm' | 'tfjs-cpu', setting: 'multi' | 'cross', depth: number, nq = en.length): Promise<[EvalResults, string[]]> => {
      const sub: Dataset = { ...ds, queries: en.slice(0, nq) };
      const lines: string[] = [];
      const sink: RunSink = { setting, depth, write: (qid, ids, scores) => lines.push(`${qid} ${ids.join(' ')} ${Array.from(scores).join(' ')}`) };
      const q = { rows: nq, dim, data: qe.data.subarray(0, nq * dim) };
      const res = await evaluateDataset(sub, denseModel('random-int', q, pe, { similarity: 'dot', backend }), { run: sink, date: new Date(0) });
      return [res, lines];
    };
    const strip = (x: EvalResults) => ({ ...x, description: { ...x.description, scorer: '', params: {} } });
    const [cpu, cpuRun] = await runOf('cpu', 'multi', 100);
    const [wasm, wasmRun] = await runOf('tfjs-wasm', 'multi', 100);
    expect(cpuRun).toHaveLength(1190);
    expect(wasmRun).toEqual(cpuRun);
    expect(strip(wasm)).toEqual(strip(cpu));
    expect(cpu.settings.multi!.pairs['en-all']!.num_q).toBe(1190);
    expect(cpu.settings.multi!.pairs['zh-all']!.num_q).toBe(0);
    expect(cpu.settings.multi!.macro.num_pairs).toBe(1);
    expect(cpu.settings.multi!.macro.map).toBeGreaterThan(0);
    const [, tfCpuCross] = await runOf('tfjs-cpu', 'cross', 10, 300);
    const [, cpuCross] = await runOf('cpu', 'cross', 10, 300);
    expect(cpuCross).toHaveLength(300 * 10);
    expect(tfCpuCross).toEqual(cpuCross);
  });
});
