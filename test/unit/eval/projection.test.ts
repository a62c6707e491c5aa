/**
 * Embedding maps: PCA equals numpy's SVD projection (fixture from
 * scripts/golden_pca.py) to 1e-6, with the explained variance; the sample
 * is stratified and seeded; UMAP is reproducible for a seed and keeps
 * separated clusters apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embeddingMap, pca2, stratifiedSample, umap2 } from '../../../src/core/eval/projection.ts';

const golden = JSON.parse(readFileSync(new URL('../../fixtures/eval/pca-golden.json', import.meta.url), 'utf8')) as { rows: number; dim: number; data: number[]; coords: number[]; explained: [number, number] };
const matrix = { rows: golden.rows, dim: golden.dim, data: Float32Array.from(golden.data) };

describe('projections', () => {
  it('PCA equals numpy’s SVD projection', () => {
    const r = pca2(matrix);
    for (let i = 0; i < golden.coords.length; i++) expect(Math.abs(r.coords[i]! - golden.coords[i]!)).toBeLessThan(1e-6);
    expect(r.explained[0]).toBeCloseTo(golden.explained[0], 8);
    expect(r.explained[1]).toBeCloseTo(golden.explained[1], 8);
  });

  it('samples up to n per language, seeded', () => {
    const langs = ['de', 'en', 'de', 'zh', 'en', 'de', 'de'];
    const s = stratifiedSample(langs, 2, 1);
    expect(s.filter((i) => langs[i] === 'de')).toHaveLength(2);
    expect(s.filter((i) => langs[i] === 'zh')).toEqual([3]);
    expect(stratifiedSample(langs, 2, 1)).toEqual(s);
  });

  it('UMAP is reproducible and keeps clusters apart; the map carries texts and languages', () => {
    const a = umap2(matrix, 5);
    expect(Array.from(umap2(matrix, 5))).toEqual(Array.from(a));
    // Cluster 0 (rows 0-19) and cluster 2 (rows 40-59): centroids further apart than cluster 0's spread.
    const centroid = (from: number) => [0, 1].map((c) => { let s = 0; for (let i = from; i < from + 20; i++) s += a[i * 2 + c]!; return s / 20; });
    const [c0, c2] = [centroid(0), centroid(40)];
    const spread = Math.max(...Array.from({ length: 20 }, (_, i) => Math.hypot(a[i * 2]! - c0[0]!, a[i * 2 + 1]! - c0[1]!)));
    expect(Math.hypot(c0[0]! - c2[0]!, c0[1]! - c2[1]!)).toBeGreaterThan(spread);
    const items = Array.from({ length: golden.rows }, (_, i) => ({ id: `p${i}`, lang: ['de', 'en', 'zh'][Math.floor(i / 20)]!, text: 'x'.repeat(300) }));
    const map = embeddingMap(matrix, items, { method: 'pca', perLang: 5, seed: 2 });
    expect(map.points).toHaveLength(15);
    expect(map.points[0]!.text).toHaveLength(200);
    expect(new Set(map.points.map((p) => p.lang))).toEqual(new Set(['de', 'en', 'zh']));
  }, 60_000);
});
