/**
 * Hard-negative mining (src/core/train/mine.ts) on real XQuAD-R train articles (de, en, zh): every mined
 * negative is in its rank window, in the positive's language, never relevant to its query by the qrels and
 * never a sentence of the query's parallel group; the same seed gives the same negatives and another seed
 * other ones; the pool then carries them; `lab mine` writes pairs JSONL the importer reads back, with ranks.
 * Checked against a brute-force BM25 ranking of the same pool for one pair.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bm25Model, passageText } from '../../../src/core/bm25/search.ts';
import { sha256Hex } from '../../../src/core/io/sha256.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { makeRunConfig } from '../../../src/core/run-config.ts';
import { mineHardNegatives, withMinedNegatives, checkMiningSettings } from '../../../src/core/train/mine.ts';
import { buildTrainingPool, type TrainingPool } from '../../../src/core/train/pool.ts';
import { asTrainConfig, cutToSplit } from '../../../src/core/train/run.ts';
import { run as mine } from '../../../src/cli/commands/mine.ts';
import { quietly } from '../../support/quiet.ts';
import { loadXquadR, xquadRPaths } from '../eval/xquad-r.ts';

const LANGS = ['de', 'en', 'zh'];
const SETTINGS = { from: 5, to: 40, perPair: 3, seed: 11 };
let train: Dataset;
let pool: TrainingPool;

beforeAll(async () => {
  const all = await loadXquadR(LANGS);
  train = cutToSplit(all, 'train', { seed: 3, train: asTrainConfig(makeRunConfig({
    version: 1, kind: 'train', model: { source: 'hub', id: 'a/b' }, datasets: [{ name: 'x', shards: [{ name: 'de.json', sha256: 'a'.repeat(64) }] }],
    train: { data: [{ name: 'x', shards: [{ name: 'de.json', sha256: 'a'.repeat(64) }], split: 'train' }] },
  })).train });
  pool = buildTrainingPool(train);
});

describe('hard-negative mining', () => {
  it('keeps every negative in its window and language, never relevant to its group; seeded', async () => {
    const report = await mineHardNegatives(pool, [train], bm25Model(), SETTINGS);
    expect(report.pairs.length).toBe(pool.groups.reduce((n, g) => n + [...g.byLang.values()].filter((s) => s.positive !== undefined).length, 0));
    const byText = new Map(train.passages.map((p) => [passageText(p), p] as const));
    // Relevant sentences of each parallel group, from the qrels (every language).
    const relevant = new Map<string, Set<string>>();
    const pid = new Map(train.passages.map((p) => [p.id, p] as const));
    for (const q of train.queries) for (const id of Object.keys(train.qrels[q.id] ?? {})) {
      let s = relevant.get(q.group); if (!s) relevant.set(q.group, (s = new Set()));
      s.add(passageText(pid.get(id)!));
    }
    let total = 0;
    for (const p of report.pairs) {
      expect(p.negatives.length).toBeLessThanOrEqual(SETTINGS.perPair);
      expect(p.negatives.map((n) => n.rank)).toEqual([...p.negatives.map((n) => n.rank)].sort((a, b) => a - b));
      for (const n of p.negatives) {
        total++;
        expect(n.rank).toBeGreaterThanOrEqual(SETTINGS.from);
        expect(n.rank).toBeLessThanOrEqual(SETTINGS.to);
        expect(byText.get(n.text)?.lang).toBe(p.passageLang);
        expect(relevant.get(p.group)!.has(n.text)).toBe(false);
        expect(n.text).not.toBe(p.positive);
      }
    }
    expect(total).toBeGreaterThan(report.pairs.length * 2.5);
    expect(report.short).toBe(0);

    // The same seed, the same negatives; another seed, others.
    const again = await mineHardNegatives(pool, [train], bm25Model(), SETTINGS);
    expect(again.pairs).toEqual(report.pairs);
    const other = await mineHardNegatives(pool, [train], bm25Model(), { ...SETTINGS, seed: 12 });
    expect(other.pairs.map((p) => p.negatives.map((n) => n.id))).not.toEqual(report.pairs.map((p) => p.negatives.map((n) => n.id)));

    // Ranks are BM25's: for one de pair, the mined ranks equal a brute-force ranking of the de candidates.
    const first = report.pairs.find((p) => p.passageLang === 'de' && p.queryLang === 'de')!;
    const one = await mineHardNegatives({ ...pool, groups: pool.groups.filter((g) => g.id === first.group) }, [train], bm25Model(), { ...SETTINGS, perPair: 36 });
    const window = one.pairs.find((p) => p.passageLang === 'de')!.negatives;
    for (const n of first.negatives) expect(window.find((w) => w.id === n.id)?.rank).toBe(n.rank);

    // The pool carries them, after any negatives a side already had.
    const mined = withMinedNegatives(pool, report);
    const side = mined.groups.find((g) => g.id === first.group)!.byLang.get('de')!;
    expect(side.negatives).toEqual(first.negatives.map((n) => n.text));
  });

  it('refuses impossible settings', () => {
    expect(() => checkMiningSettings({ from: 0, to: 10, perPair: 1, seed: 1 })).toThrow(/rank window/);
    expect(() => checkMiningSettings({ from: 20, to: 10, perPair: 1, seed: 1 })).toThrow(/rank window/);
    expect(() => checkMiningSettings({ from: 10, to: 12, perPair: 4, seed: 1 })).toThrow(/window of 3 ranks/);
  });

  it('lab mine writes pairs JSONL the importer reads back, with each negative\'s rank', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mine-'));
    const shards = await Promise.all(xquadRPaths(LANGS).map(async (p) => ({ name: p, sha256: await sha256Hex(new Uint8Array(readFileSync(p))) })));
    const config = join(dir, 'run.json');
    writeFileSync(config, JSON.stringify({
      version: 1, kind: 'train', seed: 3, model: { source: 'hub', id: 'a/b' }, datasets: [{ name: 'x', shards, split: 'test' }],
      train: { data: [{ name: 'x', shards, split: 'train' }], mining: { method: 'bm25', from: 5, to: 40, perPair: 3, seed: 11 } },
    }));
    const out = join(dir, 'pairs.jsonl');
    expect(await quietly(() => mine(['--config', config, '--out', out]))).toBe(0);
    const text = readFileSync(out, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { negatives: string[]; negative_ranks: number[] });
    const report = await mineHardNegatives(pool, [train], bm25Model(), SETTINGS);
    expect(lines).toHaveLength(report.pairs.length);
    expect(lines.map((l) => l.negative_ranks)).toEqual(report.pairs.map((p) => p.negatives.map((n) => n.rank)));
    const back = await parseShard(shardSourceFromBytes('mined-pairs.jsonl', text));
    expect(back.format === 'pairs' && back.pairs.length).toBe(report.pairs.length);
    expect(back.format === 'pairs' && back.pairs[0]!.negatives).toEqual(report.pairs[0]!.negatives.map((n) => n.text));
  });
});
