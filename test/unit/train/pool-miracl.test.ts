/**
 * MIRACL and BEIR train splits feed training as mono pairs: each query with a judged relevant passage is a
 * group in its own language, its positive the first relevant passage, its hard negatives the passages judged
 * not relevant (MIRACL's rel 0); queries without a relevant passage in the corpus are left out; an X-X sampler
 * draws batches from it, and an X-Y sampler says why it cannot (no query has a positive in another language).
 */
import { describe, expect, it } from 'vitest';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import { buildDataset } from '../../../src/core/dataset/build.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { buildTrainingPool } from '../../../src/core/train/pool.ts';
import { BatchSampler } from '../../../src/core/train/samplers/index.ts';
import { fixture } from '../dataset/helpers.ts';

describe('training pairs from MIRACL / BEIR', () => {
  it('takes each judged query as a mono pair with its rel-0 passages as hard negatives', async () => {
    const ds = await loadDatasetFromPaths(['miracl/miracl-corpus-v1.0-de-0.jsonl', 'miracl/miracl-corpus-v1.0-de-1.jsonl', 'miracl/topics.miracl-v1.0-de-dev.tsv', 'miracl/qrels.miracl-v1.0-de-dev.tsv'].map(fixture));
    const pool = buildTrainingPool(ds);
    expect(pool.languages).toEqual(['de']);
    expect(pool.groups.map((g) => g.id)).toEqual(['1', '2', '3']);
    const byId = new Map(ds.passages.map((p) => [p.id, p] as const));
    const side1 = pool.groups[0]!.byLang.get('de')!;
    expect(side1.query).toBe('Was ist die Hauptstadt Deutschlands?');
    // qrels: 1 → 100#0 relevant, 100#1 judged not relevant.
    expect(side1.positive).toContain(byId.get('100#0')!.text);
    expect(side1.negatives).toHaveLength(1);
    expect(side1.negatives[0]).toContain(byId.get('100#1')!.text);
    expect(pool.groups[1]!.byLang.get('de')!.negatives).toEqual([]);
    const batch = new BatchSampler(pool, { kind: 'xx', batchSize: 2 }, { seed: 1 }).next();
    expect(batch.kind).toBe('mono');
    expect(batch.pairs.every((p) => p.queryLang === 'de' && p.passageLang === 'de')).toBe(true);
  });

  it('languages whose ids merely collide stay mono; a parallel source (the same ids everywhere) gives cross-lingual pairs', async () => {
    const src = (name: string, text: string) => parseShard(shardSourceFromBytes(name, text));
    const make = (swExtra: string) => Promise.all([
      src('miracl-corpus-v1.0-de-0.jsonl', '{"docid":"1","title":"t","text":"Berlin"}\n{"docid":"2","title":"t","text":"Bonn"}\n{"docid":"3","title":"t","text":"Bremen"}\n'),
      src('miracl-corpus-v1.0-sw-0.jsonl', `{"docid":"1","title":"t","text":"Nairobi"}\n{"docid":"2","title":"t","text":"Mombasa"}\n${swExtra}`),
      src('topics.miracl-v1.0-de-dev.tsv', '1\tHauptstadt?\n2\tHafen?\n'),
      src('topics.miracl-v1.0-sw-dev.tsv', '1\tMji mkuu?\n2\tBandari?\n'),
      src('qrels.miracl-v1.0-de-dev.tsv', '1 Q0 1 1\n1 Q0 2 0\n2 Q0 2 1\n'),
      src('qrels.miracl-v1.0-sw-dev.tsv', '1 Q0 1 1\n2 Q0 2 1\n'),
    ]);
    // sw lacks document 3: the ids collide but are not translations.
    const apart = buildTrainingPool(buildDataset(await make('')));
    expect(apart.groups.map((g) => [g.id, [...g.byLang.keys()]])).toEqual([['de:1', ['de']], ['de:2', ['de']], ['sw:1', ['sw']], ['sw:2', ['sw']]]);
    expect(apart.groups[0]!.byLang.get('de')).toEqual({ query: 'Hauptstadt?', positive: expect.stringContaining('Berlin'), negatives: [expect.stringContaining('Bonn')] });
    for (const kind of ['xy', 'hybrid'] as const) expect(() => new BatchSampler(apart, { kind, batchSize: 2 }, { seed: 1 })).toThrow(/need parallel training data.*no group/);
    // The same documents and topics in both: one group per question, with both languages.
    const parallel = buildTrainingPool(buildDataset(await make('{"docid":"3","title":"t","text":"Kisumu"}\n')));
    expect(parallel.groups.map((g) => [g.id, [...g.byLang.keys()]])).toEqual([['1', ['de', 'sw']], ['2', ['de', 'sw']]]);
    const cross = new BatchSampler(parallel, { kind: 'xy', batchSize: 2 }, { seed: 1 }).next();
    expect(cross.pairs.every((p) => p.queryLang !== p.passageLang)).toBe(true);
  });
});
