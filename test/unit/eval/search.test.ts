/**
 * One query against the pool: the ranks the explorer and the drill-down show
 * are the ranks the metrics used — checked by recomputing a query's AP from
 * the relevant ranks searchPool reports and comparing it with the per-query
 * mAP the evaluation kept, for BM25 in the multilingual pool and in a
 * cross-lingual pair; free text searches; bad input is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { searchPool, singleQueryDataset } from '../../../src/core/eval/search.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import type { EvalResults } from '../../../src/core/eval/results.ts';
import { loadXquadR } from './xquad-r.ts';

let ds: Dataset;
let results: EvalResults;
beforeAll(async () => {
  ds = await loadXquadR(['de', 'en']);
  results = await evaluateDataset(ds, bm25Model());
});

const ap = (ranks: number[]) => ranks.sort((a, b) => a - b).reduce((s, r, i) => s + (i + 1) / r, 0) / ranks.length;

describe('searchPool', () => {
  it('relevant ranks reproduce the evaluation’s per-query AP (multilingual pool and a cross-lingual pair)', async () => {
    const pq = results.perQuery!;
    for (const i of [0, 17, 400]) {
      const id = pq.queries.de![i]!;
      const one = singleQueryDataset(ds, { id });
      const all = await searchPool(one.dataset, bm25Model(), { k: 10 });
      expect(all.poolSize).toBe(ds.passages.length);
      expect(ap(all.relevant.map((r) => r.rank))).toBeCloseTo(pq.values.map!['de-all']![i]!, 5);
      const toEn = await searchPool(one.dataset, bm25Model(), { k: 5, langs: ['en'] });
      expect(toEn.hits.every((h) => h.lang === 'en')).toBe(true);
      expect(ap(toEn.relevant.map((r) => r.rank))).toBeCloseTo(pq.values.map!['de-en']![i]!, 5);
      // Hits are in rank order, scores non-increasing, relevant ones marked.
      expect(all.hits.map((h) => h.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (let j = 1; j < all.hits.length; j++) expect(all.hits[j]!.score).toBeLessThanOrEqual(all.hits[j - 1]!.score);
      for (const h of all.hits) expect(h.relevant).toBe(all.relevant.some((r) => r.id === h.id));
    }
  }, 120_000);

  it('free text: a German question finds German and English answers; bad input is named', async () => {
    const q = singleQueryDataset(ds, { text: 'Wie viele Punkte gab die Verteidigung der Panthers ab?', lang: 'de' });
    const r = await searchPool(q.dataset, bm25Model(), { k: 3 });
    expect(r.hits).toHaveLength(3);
    expect(r.relevant).toEqual([]);
    expect(r.hits[0]!.text).toMatch(/Panthers/);
    expect(() => singleQueryDataset(ds, { text: '   ', lang: 'de' })).toThrow(/empty/);
    expect(() => singleQueryDataset(ds, { id: 'nope' })).toThrow(/not in/);
    await expect(searchPool(q.dataset, bm25Model(), { k: 0 })).rejects.toThrow(/k = 0/);
    await expect(searchPool(q.dataset, bm25Model(), { k: 3, langs: ['xx'] })).rejects.toThrow(/no candidate/);
  }, 60_000);
});
