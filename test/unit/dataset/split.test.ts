/** Seeded splits by parallel group: disjoint units, determinism, fractions, qrels restricted. */
import { describe, expect, it, beforeAll } from 'vitest';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import { apportion, splitDataset } from '../../../src/core/dataset/split.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { expectLabError, fixture, XQUAD_LANGS, XQUAD_R } from './helpers.ts';

const FR = { train: 0.8, validation: 0.1, test: 0.1 };

describe('splitDataset on XQuAD-R (by article)', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadDatasetFromPaths(XQUAD_LANGS.map((l) => `${XQUAD_R}${l}.json`));
  });

  it('puts every article, paragraph and question group on exactly one side', () => {
    const sp = splitDataset(ds, { seed: 7, ...FR });
    expect(sp.units.train).toHaveLength(38);
    expect(sp.units.validation).toHaveLength(5);
    expect(sp.units.test).toHaveLength(5);
    const parts = [sp.train, sp.validation, sp.test];
    const articles = parts.map((d) => new Set(d.passages.map((p) => p.group)));
    const paragraphs = parts.map((d) => new Set(d.passages.map((p) => p.id.split('/').slice(1, 3).join('/'))));
    const groups = parts.map((d) => new Set(d.queries.map((q) => q.group)));
    for (const sets of [articles, paragraphs, groups]) {
      const shared: string[] = [];
      for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const x of sets[i]!) if (x !== undefined && sets[j]!.has(x)) shared.push(x);
      expect(shared).toEqual([]);
    }
    expect(articles.map((s) => [...s].sort()).map((a) => a.length)).toEqual([38, 5, 5]);
    expect(parts.reduce((n, d) => n + d.passages.length, 0)).toBe(13_014);
    expect(parts.reduce((n, d) => n + d.queries.length, 0)).toBe(13_090);
    expect(parts.map((d) => d.name)).toEqual(['xquad-r:train', 'xquad-r:validation', 'xquad-r:test']);
    for (const d of parts) {
      expect(d.languages).toEqual([...XQUAD_LANGS]);
      const ids = new Set(d.passages.map((p) => p.id));
      expect(Object.keys(d.qrels)).toHaveLength(d.queries.length);
      const badCounts = d.queries.filter((q) => Object.keys(d.qrels[q.id]!).length !== 11);
      const outside = d.queries.flatMap((q) => Object.keys(d.qrels[q.id]!).filter((pid) => !ids.has(pid)));
      expect(badCounts).toEqual([]);
      expect(outside).toEqual([]);
    }
  });

  it('is deterministic for a seed, independent of input order, and differs between seeds', () => {
    const a = splitDataset(ds, { seed: 42, ...FR });
    const b = splitDataset(ds, { seed: 42, ...FR });
    expect(b.units).toEqual(a.units);
    expect(b.test.queries.map((q) => q.id)).toEqual(a.test.queries.map((q) => q.id));
    const reversed: Dataset = { ...ds, passages: [...ds.passages].reverse(), queries: [...ds.queries].reverse() };
    expect(splitDataset(reversed, { seed: 42, ...FR }).units).toEqual(a.units);
    const others = [1, 2, 3].map((seed) => JSON.stringify(splitDataset(ds, { seed, ...FR }).units.test));
    expect(others.some((u) => u !== JSON.stringify(a.units.test))).toBe(true);
  });

  it('allows empty sides and rejects bad fractions or seeds', async () => {
    const all = splitDataset(ds, { seed: 1, train: 1, validation: 0, test: 0 });
    expect(all.train.passages).toHaveLength(13_014);
    expect(all.test.queries).toEqual([]);
    expect(all.test.languages).toEqual([]);
    await expectLabError(() => splitDataset(ds, { seed: 1, train: 0.8, validation: 0.1, test: 0.2 }), 'invalid-argument');
    await expectLabError(() => splitDataset(ds, { seed: 1, train: 1.2, validation: -0.1, test: -0.1 }), 'invalid-argument');
    await expectLabError(() => splitDataset(ds, { seed: 0.5, ...FR }), 'invalid-argument');
  });
});

describe('splitDataset on other formats', () => {
  it('MIRACL: splits topics, keeps the whole corpus on every side', async () => {
    const ds = await loadDatasetFromPaths(
      ['miracl/miracl-corpus-v1.0-de-0.jsonl', 'miracl/miracl-corpus-v1.0-de-1.jsonl', 'miracl/topics.miracl-v1.0-de-dev.tsv', 'miracl/qrels.miracl-v1.0-de-dev.tsv'].map(fixture),
    );
    const sp = splitDataset(ds, { seed: 3, train: 1 / 3, validation: 1 / 3, test: 1 / 3 });
    expect([sp.train, sp.validation, sp.test].map((d) => d.queries.length)).toEqual([1, 1, 1]);
    for (const d of [sp.train, sp.validation, sp.test]) {
      expect(d.passages).toHaveLength(5);
      expect(Object.keys(d.qrels)).toEqual(d.queries.map((q) => q.id));
      expect(d.qrels[d.queries[0]!.id]).toEqual(ds.qrels[d.queries[0]!.id]);
    }
  });

  it('training pairs: a group never straddles two sides', async () => {
    const ds = await loadDatasetFromPaths([fixture('pairs/train-pairs.jsonl')]);
    const sp = splitDataset(ds, { seed: 11, train: 0.34, validation: 0.33, test: 0.33 });
    const sides = [sp.train, sp.validation, sp.test].map((d) => d.pairs.map((p) => p.group));
    expect(sides.flat().sort()).toEqual(ds.pairs.map((p) => p.group).sort());
    expect(sides.map((s) => new Set(s).size)).toEqual([1, 1, 1]);
    expect(sides.find((s) => s.includes('g1'))).toEqual(['g1', 'g1', 'g1']);
  });

  it('apportions units exactly by largest remainder', () => {
    expect(apportion(48, [0.8, 0.1, 0.1])).toEqual([38, 5, 5]);
    expect(apportion(10, [0.7, 0.15, 0.15])).toEqual([7, 2, 1]);
    expect(apportion(3, [1 / 3, 1 / 3, 1 / 3])).toEqual([1, 1, 1]);
    expect(apportion(0, [0.5, 0.5, 0])).toEqual([0, 0, 0]);
  });
});
