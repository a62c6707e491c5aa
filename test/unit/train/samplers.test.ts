/**
 * Batch samplers and alpha schedules of hybrid batch training (METHOD.md):
 * every batch obeys its kind's language rule, repeats no group and no
 * passage, never draws a held-out language; hybrid batches are X-X with
 * probability alpha; a seed (or a saved state) gives the same sequence.
 */
import { describe, expect, it } from 'vitest';
import { buildTrainingPool, type TrainingPool } from '../../../src/core/train/pool.ts';
import { BatchSampler } from '../../../src/core/train/samplers/index.ts';
import { AdaptiveAlpha, alphaAt, checkSchedule } from '../../../src/core/train/schedules.ts';
import { loadXquadR } from '../eval/xquad-r.ts';
import type { Dataset, TrainingPair } from '../../../src/core/dataset/types.ts';

let pool: TrainingPool;
let xquad: Dataset;

function checkBatch(pairs: { group: string; positive: string; queryLang: string; passageLang: string }[]): void {
  expect(new Set(pairs.map((p) => p.group)).size).toBe(pairs.length);
  expect(new Set(pairs.map((p) => p.positive)).size).toBe(pairs.length);
}

describe('training pool and samplers on XQuAD-R (el and vi held out, as in the paper)', () => {
  it('builds parallel groups of the training languages only', async () => {
    xquad = await loadXquadR(['de', 'el', 'en', 'vi', 'zh']);
    pool = buildTrainingPool(xquad, { heldOut: ['el', 'vi'] });
    expect(pool.languages).toEqual(['de', 'en', 'zh']);
    expect(pool.heldOut).toEqual(['el', 'vi']);
    expect(pool.groups).toHaveLength(1190);
    const g = pool.groups[0]!;
    expect([...g.byLang.keys()].sort()).toEqual(['de', 'en', 'zh']);
    // The positive in x is the answer sentence in x.
    const q = xquad.queries.find((x) => x.group === g.id && x.lang === 'de')!;
    const answer = xquad.passages.find((p) => p.lang === 'de' && xquad.qrels[q.id]![p.id])!;
    expect(g.byLang.get('de')!.positive).toBe(answer.text);
  });

  it('X-X: one language per batch, all pairs monolingual, languages drawn uniformly', () => {
    const s = new BatchSampler(pool, { kind: 'xx', batchSize: 32 }, { seed: 1 });
    const count = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const b = s.next();
      expect(b.kind).toBe('mono');
      expect(b.pairs).toHaveLength(32);
      const x = b.pairs[0]!.queryLang;
      for (const p of b.pairs) expect([p.queryLang, p.passageLang]).toEqual([x, x]);
      checkBatch(b.pairs);
      count.set(x, (count.get(x) ?? 0) + 1);
    }
    expect([...count.keys()].sort()).toEqual(['de', 'en', 'zh']);
    for (const c of count.values()) expect(Math.abs(c - 200)).toBeLessThan(45); // 600/3 ± ~4 sd
  });

  it('X-Y per batch: one ordered pair x ≠ y per batch, all six drawn; per pair: x ≠ y in every pair, recorded', () => {
    const s = new BatchSampler(pool, { kind: 'xy', batchSize: 16, crossMode: 'batch' }, { seed: 2 });
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = s.next();
      expect(b).toMatchObject({ kind: 'cross', crossMode: 'batch' });
      const key = `${b.pairs[0]!.queryLang}-${b.pairs[0]!.passageLang}`;
      for (const p of b.pairs) expect(`${p.queryLang}-${p.passageLang}`).toBe(key);
      expect(b.pairs[0]!.queryLang).not.toBe(b.pairs[0]!.passageLang);
      checkBatch(b.pairs);
      seen.add(key);
    }
    expect(seen.size).toBe(6);
    const per = new BatchSampler(pool, { kind: 'xy', batchSize: 16, crossMode: 'pair' }, { seed: 2 });
    const b = per.next();
    expect(b.crossMode).toBe('pair');
    for (const p of b.pairs) expect(p.queryLang).not.toBe(p.passageLang);
    expect(new Set(b.pairs.map((p) => `${p.queryLang}-${p.passageLang}`)).size).toBeGreaterThan(1);
  });

  it('hybrid: X-X with probability alpha (binomial bounds), never a held-out language', () => {
    for (const alpha of [0, 0.3, 0.5, 1]) {
      const s = new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { seed: 3 });
      let mono = 0;
      const n = 800;
      for (let i = 0; i < n; i++) {
        const b = s.next(alpha);
        if (b.kind === 'mono') mono++;
        for (const p of b.pairs) expect(['el', 'vi']).not.toContain(p.queryLang);
        for (const p of b.pairs) expect(['el', 'vi']).not.toContain(p.passageLang);
      }
      const sd = Math.sqrt(n * alpha * (1 - alpha));
      expect(Math.abs(mono - n * alpha)).toBeLessThanOrEqual(4 * sd + 1e-9);
    }
  });

  it('multilingual: languages drawn per pair, both same- and cross-language pairs occur', () => {
    const b = new BatchSampler(pool, { kind: 'multi', batchSize: 64 }, { seed: 4 }).next();
    expect(b.kind).toBe('multi');
    expect(b.pairs.some((p) => p.queryLang === p.passageLang)).toBe(true);
    expect(b.pairs.some((p) => p.queryLang !== p.passageLang)).toBe(true);
    checkBatch(b.pairs);
  });

  it('a seed gives the same sequence, and a saved state resumes it exactly', () => {
    const a = new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { seed: 9 });
    const b = new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { seed: 9 });
    const first = Array.from({ length: 20 }, () => a.next(0.5));
    expect(Array.from({ length: 20 }, () => b.next(0.5))).toEqual(first);
    const state = a.state;
    const resumed = new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { state });
    expect(Array.from({ length: 10 }, () => resumed.next(0.5))).toEqual(Array.from({ length: 10 }, () => a.next(0.5)));
    expect(new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { seed: 10 }).next(0.5)).not.toEqual(first[0]);
  });

  it('clear errors before any step: batch larger than the data, one language for X-Y, unknown held-out language, alpha out of range', () => {
    expect(() => new BatchSampler(pool, { kind: 'xx', batchSize: 5000 }, { seed: 1 })).toThrow(/batch size 5000 is larger than the 1190 parallel groups/);
    const one = buildTrainingPool(xquad, { heldOut: ['de', 'el', 'en', 'vi'] });
    expect(() => new BatchSampler(one, { kind: 'xy', batchSize: 8 }, { seed: 1 })).toThrow(/X-Y batches need two or more training languages; the training data has zh/);
    expect(() => new BatchSampler(one, { kind: 'hybrid', batchSize: 8 }, { seed: 1 })).toThrow(/two or more training languages/);
    expect(() => buildTrainingPool(xquad, { heldOut: ['fr'] })).toThrow(/held-out language "fr" is not in dataset/);
    expect(() => new BatchSampler(pool, { kind: 'hybrid', batchSize: 8 }, { seed: 1 }).next(1.5)).toThrow(/alpha 1.5 is outside \[0, 1\]/);
  });

  it('training-pairs JSONL: mono and cross lines fill the same parallel group', () => {
    const pairs: TrainingPair[] = [
      { group: 'g1', queryLang: 'de', passageLang: 'de', query: 'Wer?', positive: 'Er.', negatives: [] },
      { group: 'g1', queryLang: 'en', passageLang: 'en', query: 'Who?', positive: 'He.', negatives: ['She.'] },
      { group: 'g2', queryLang: 'de', passageLang: 'en', query: 'Was?', positive: 'What.', negatives: [] },
    ];
    const p = buildTrainingPool({ name: 'p', format: 'pairs', languages: ['de', 'en'], queries: [], passages: [], qrels: {}, pairs, diagnostics: [] });
    expect(p.groups.map((g) => g.id).sort()).toEqual(['g1', 'g2']);
    const b = new BatchSampler(p, { kind: 'xy', batchSize: 2, crossMode: 'pair' }, { seed: 1 }).next();
    for (const x of b.pairs) expect(x.queryLang).not.toBe(x.passageLang);
    expect(b.pairs.find((x) => x.group === 'g1' && x.passageLang === 'en')?.negatives ?? ['She.']).toEqual(['She.']);
  });
});

describe('alpha schedules', () => {
  it('constant, linear, cosine and step give the documented values', () => {
    expect(alphaAt({ kind: 'constant', alpha: 0.5 }, 1000)).toBe(0.5);
    const lin = { kind: 'linear', from: 1, to: 0, steps: 100 } as const;
    expect([0, 25, 100, 500].map((t) => alphaAt(lin, t))).toEqual([1, 0.75, 0, 0]);
    const cos = { kind: 'cosine', from: 1, to: 0, steps: 100 } as const;
    expect(alphaAt(cos, 0)).toBeCloseTo(1, 12);
    expect(alphaAt(cos, 50)).toBeCloseTo(0.5, 12);
    expect(alphaAt(cos, 100)).toBeCloseTo(0, 12);
    expect([0, 9, 10, 25, 1000].map((t) => alphaAt({ kind: 'step', values: [0.8, 0.5, 0.2], every: 10 }, t))).toEqual([0.8, 0.8, 0.5, 0.2, 0.2]);
  });

  it('adaptive: alpha rises while mono is worse, falls while cross is worse, within bounds', () => {
    const a = new AdaptiveAlpha({ kind: 'adaptive', initial: 0.5, min: 0.2, max: 0.8, rate: 0.1, signal: 'loss' });
    expect(a.update(3, 1)).toBeCloseTo(0.5 + 0.1 * (2 / 4), 12); // mono loss worse: more X-X
    for (let i = 0; i < 50; i++) a.update(3, 1);
    expect(a.alpha).toBe(0.8);
    for (let i = 0; i < 100; i++) a.update(1, 3);
    expect(a.alpha).toBe(0.2);
    const m = new AdaptiveAlpha({ kind: 'adaptive', initial: 0.5, min: 0, max: 1, rate: 0.2, signal: 'map' });
    expect(m.update(0.2, 0.6)).toBeCloseTo(0.5 + 0.2 * (0.4 / 0.8), 12); // mono mAP worse: more X-X
  });

  it('refuses values outside their ranges, naming them', () => {
    expect(() => checkSchedule({ kind: 'constant', alpha: 1.2 })).toThrow(/alpha 1.2 is outside \[0, 1\]/);
    expect(() => checkSchedule({ kind: 'linear', from: 0, to: 1, steps: 0 })).toThrow(/steps/);
    expect(() => checkSchedule({ kind: 'adaptive', initial: 0.9, min: 0.2, max: 0.8, rate: 0.1, signal: 'loss' })).toThrow(/min 0.2 ≤ initial 0.9 ≤ max 0.8/);
  });
});
