/**
 * The paired randomization test against scipy.stats.permutation_test (exact,
 * fixture from scripts/golden_significance.py), a hand-computed case, the
 * Monte Carlo path against the exact one, and the macro statistic over
 * groups; then per-query values kept in real results and a cell compared
 * between BM25 and a weaker ranking.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pairedTest, randomizationTest } from '../../../src/core/eval/significance.ts';
import { alignedValues } from '../../../src/core/eval/per-query.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { loadXquadR } from './xquad-r.ts';

const golden = JSON.parse(readFileSync(new URL('../../fixtures/eval/significance-golden.json', import.meta.url), 'utf8')) as { cases: { a: number[]; b: number[]; p: number; diff: number }[] };

describe('paired randomization test', () => {
  it('equals scipy’s exact permutation test', () => {
    for (const c of golden.cases) {
      const t = pairedTest(c.a, c.b);
      expect(t.method).toBe('exact');
      expect(t.diff).toBeCloseTo(c.diff, 12);
      expect(t.p).toBeCloseTo(c.p, 12);
    }
  });

  it('by hand: three equal improvements of 0.1 give p = 2/8', () => {
    // Sign flips: only all-plus and all-minus reach |mean| = 0.1.
    expect(pairedTest([0.1, 0.2, 0.3], [0.2, 0.3, 0.4]).p).toBeCloseTo(0.25, 12);
    expect(pairedTest([0.5, 0.5], [0.5, 0.5]).p).toBe(1);
  });

  it('the random path agrees with the exact one, and is reproducible', () => {
    const c = golden.cases.at(-1)!;
    const exact = pairedTest(c.a, c.b).p;
    const d = c.a.map((x, i) => c.b[i]! - x);
    // 17 values force the random path; a zero difference changes no sign statistic.
    const t = randomizationTest([[...d, 0, 0, 0, 0, 0]], { permutations: 20_000, seed: 3 });
    expect(t.method).toBe('randomization');
    expect(Math.abs(t.p - exact)).toBeLessThan(0.01);
    expect(randomizationTest([[...d, 0, 0, 0, 0, 0]], { permutations: 20_000, seed: 3 }).p).toBe(t.p);
  });

  it('the macro statistic weighs groups equally', () => {
    const t = randomizationTest([[0.2], [0, 0, 0]]);
    expect(t.diff).toBeCloseTo((0.2 + 0) / 2, 12);
    expect(t.n).toBe(4);
  });

  it('results keep per-query mAP aligned by query id; a cell of BM25 against a shuffled ranking is significant', async () => {
    const ds = await loadXquadR(['de', 'en']);
    const bm25 = await evaluateDataset(ds, bm25Model());
    expect(bm25.perQuery!.metrics).toEqual(['map']);
    expect(bm25.perQuery!.queries.de).toHaveLength(1190);
    const cell = bm25.perQuery!.values.map!['de-en']!;
    const judged = cell.filter((v): v is number => v !== null);
    expect(judged).toHaveLength(bm25.settings.cross!.pairs['de-en']!.num_q);
    expect(judged.reduce((a, b) => a + b, 0) / judged.length).toBeCloseTo(bm25.settings.cross!.pairs['de-en']!.map, 5);
    // Per-query rank distances average to the results' rank distance per query language.
    const rd = bm25.perQuery!.rankDistance!.de!.filter((v): v is number => v !== null);
    expect(rd.reduce((x, y) => x + y, 0) / rd.length).toBeCloseTo(bm25.languageBias!.byQueryLang.de!, 9);
    // A weaker "system": every query's value halved.
    const weaker = structuredClone(bm25.perQuery!);
    weaker.values.map!['de-en'] = cell.map((v) => (v === null ? null : v / 2));
    const al = alignedValues(bm25.perQuery!, weaker, 'map', 'de-en')!;
    const t = pairedTest(al.a, al.b, { permutations: 2000 });
    expect(t.diff).toBeLessThan(0);
    expect(t.p).toBeLessThan(0.01);
  }, 120_000);
});

describe('compareResults', () => {
  it('differences per pair and per setting, tested over the queries judged in both; untested without per-query values', async () => {
    const { compareResults } = await import('../../../src/core/eval/compare.ts');
    const ds = await loadXquadR(['de', 'en', 'zh']);
    const a = await evaluateDataset(ds, bm25Model());
    const b = await evaluateDataset(ds, bm25Model({ k1: 0.3, b: 0.1 }));
    const c = compareResults(a, b, 'map', { permutations: 500 });
    expect(c.langs).toEqual(['de', 'en', 'zh']);
    expect(Object.keys(c.cells)).toHaveLength(3 + 6 + 3);
    const cell = c.cells['cross:de-en']!;
    expect(cell.diff).toBeCloseTo(b.settings.cross!.pairs['de-en']!.map - a.settings.cross!.pairs['de-en']!.map, 12);
    // The test's statistic is the same difference, from the rounded per-query values.
    expect(cell.test!.diff).toBeCloseTo(cell.diff, 5);
    expect(cell.test!.n).toBe(a.settings.cross!.pairs['de-en']!.num_q);
    const mono = c.settings.find((s) => s.setting === 'mono')!;
    expect(mono.diff).toBeCloseTo(b.settings.mono!.macro.map - a.settings.mono!.macro.map, 12);
    expect(mono.test!.p).toBeGreaterThan(0);
    expect(mono.test!.p).toBeLessThanOrEqual(1);
    expect(c.bias!.diff).toBeCloseTo(b.languageBias!.macro - a.languageBias!.macro, 12);
    // Identical systems: nothing differs, p = 1.
    expect(compareResults(a, a, 'map', { permutations: 100 }).settings.every((s) => s.diff === 0 && s.test!.p === 1)).toBe(true);
    const { perQuery: _, ...bare } = b;
    const u = compareResults(a, bare, 'map');
    expect(u.untested).toMatch(/no per-query map in B/);
    expect(u.cells['cross:de-en']!.test).toBeNull();
  }, 120_000);
});

describe('drill-down helpers', () => {
  it('worst queries of a pair, and a histogram of rank distances', async () => {
    const { worstQueries, histogram } = await import('../../../src/core/eval/per-query.ts');
    const pq = { metrics: ['map' as const], queries: { de: ['a', 'b', 'c', 'd'] }, values: { map: { 'de-en': [0.5, null, 0.1, 0.1] } } };
    expect(worstQueries(pq, 'map', 'de-en', 2)).toEqual([{ id: 'c', value: 0.1 }, { id: 'd', value: 0.1 }]);
    expect(worstQueries(pq, 'map', 'de-zh', 2)).toEqual([]);
    const h = histogram([0, 1, 2, 3, 4, null, 10], 5);
    expect(h.edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect(h.counts).toEqual([2, 2, 1, 0, 1]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(6);
  });
});
