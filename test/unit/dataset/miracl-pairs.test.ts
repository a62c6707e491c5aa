/** MIRACL (plain and .jsonl.gz, several corpus shards) and training pairs, end to end through parseShard/buildDataset. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDatasetFromPaths, parseShardsFromPaths } from '../../../src/cli/load-files.ts';
import { buildDataset } from '../../../src/core/dataset/build.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { datasetStats } from '../../../src/core/dataset/stats.ts';
import { fixture } from './helpers.ts';

const CORPUS = ['miracl/miracl-corpus-v1.0-de-0.jsonl', 'miracl/miracl-corpus-v1.0-de-1.jsonl'];
const TOPICS = 'miracl/topics.miracl-v1.0-de-dev.tsv';
const QRELS = 'miracl/qrels.miracl-v1.0-de-dev.tsv';

describe('MIRACL', () => {
  it('builds one dataset from two corpus shards, topics and qrels', async () => {
    const ds = await loadDatasetFromPaths([...CORPUS, TOPICS, QRELS].map(fixture));
    expect(ds.format).toBe('miracl');
    expect(ds.name).toBe('miracl');
    expect(ds.languages).toEqual(['de']);
    expect(ds.passages.map((p) => p.id)).toEqual(['100#0', '100#1', '200#0', '300#0', '300#1']);
    expect(ds.passages[2]).toEqual({
      id: '200#0',
      lang: 'de',
      title: 'Rhein',
      text: 'Der Rhein fließt durch sechs Länder – Schweiz, Liechtenstein, Österreich, Deutschland, Frankreich, Niederlande.',
    });
    expect(ds.queries).toEqual([
      { id: '1', lang: 'de', text: 'Was ist die Hauptstadt Deutschlands?', group: '1' },
      { id: '2', lang: 'de', text: 'Wie hoch ist die Zugspitze?', group: '2' },
      { id: '3', lang: 'de', text: 'Durch welche Länder fließt der Rhein?', group: '3' },
    ]);
    expect({ ...ds.qrels }).toEqual({ '1': { '100#0': 1, '100#1': 0 }, '2': { '300#0': 1 }, '3': { '200#0': 1, '300#1': 0 } });
    expect(ds.diagnostics).toEqual([]);
    expect(datasetStats(ds)).toEqual({
      languages: ['de'],
      queries: { de: 3 },
      candidates: { de: 5 },
      relevantPerQuery: { min: 1, mean: 1, max: 1 },
      errors: [],
    });
  });

  it('round-trips .jsonl.gz shards (made with node:zlib) to the same dataset as plain JSONL, with progress on the compressed bytes', async () => {
    const plain = await loadDatasetFromPaths([...CORPUS, TOPICS, QRELS].map(fixture));
    const gzShards = await Promise.all(
      CORPUS.map((rel, i) => {
        const gz = gzipSync(readFileSync(fixture(rel)));
        const progress: [number, number][] = [];
        return parseShard(shardSourceFromBytes(`miracl-corpus-v1.0-de-${i}.jsonl.gz`, gz, 7), {
          onProgress: (r, t) => progress.push([r, t]),
        }).then((s) => {
          expect(s.gzipped).toBe(true);
          expect(s.size).toBe(gz.length);
          expect(progress.at(-1)).toEqual([gz.length, gz.length]);
          return s;
        });
      }),
    );
    const rest = await parseShardsFromPaths([TOPICS, QRELS].map(fixture));
    const ds = buildDataset([...gzShards, ...rest]);
    expect(ds.passages).toEqual(plain.passages);
    expect(ds.queries).toEqual(plain.queries);
    expect({ ...ds.qrels }).toEqual({ ...plain.qrels });
    // The committed .gz fixtures (gzip -n) load too, and detection works from magic bytes even if misnamed.
    const committed = await loadDatasetFromPaths(CORPUS.map((c) => fixture(`${c}.gz`)));
    expect(committed.passages).toEqual(plain.passages);
    const misnamed = await parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl', readFileSync(fixture(`${CORPUS[0]}.gz`))));
    expect(misnamed.format).toBe('miracl-corpus');
    expect(misnamed.gzipped).toBe(true);
  });

  it('qrels qids without a topic become a counted warning; duplicate docids across shards are an error', async () => {
    const shards = await parseShardsFromPaths([...CORPUS, TOPICS].map(fixture));
    const qrels = await parseShard(shardSourceFromBytes('qrels.txt', '1 Q0 100#0 1\n9 Q0 100#1 1\n8\tQ0\t200#0\t2\n'));
    expect(qrels.format).toBe('miracl-qrels');
    const ds = buildDataset([...shards, qrels]);
    expect(ds.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'qrels-qid-not-in-topics', count: 2 })]);
    const again = await parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-9.jsonl', '{"docid":"200#0","title":"x","text":"y"}\n'));
    expect(() => buildDataset([...shards, again])).toThrow(/docid "200#0" is also in miracl-corpus-v1.0-de-0.jsonl/);
  });
});

describe('MIRACL corpus named docs-N.jsonl.gz inside its language folder', () => {
  it('takes the language from the folder when the name has none', async () => {
    const src = { ...shardSourceFromBytes('docs-0.jsonl.gz', readFileSync(fixture(`${CORPUS[0]}.gz`))), path: 'miracl-corpus-v1.0-sw/docs-0.jsonl.gz' };
    const shard = await parseShard(src);
    expect(shard.format === 'miracl-corpus' && shard.lang).toBe('sw');
    await expect(parseShard({ ...src, path: undefined })).rejects.toMatchObject({ code: 'unknown-language', location: { file: 'docs-0.jsonl.gz' } });
  });
});

describe('training pairs', () => {
  it('parses monolingual and cross-lingual pairs, numeric groups, blank lines', async () => {
    const ds = await loadDatasetFromPaths([fixture('pairs/train-pairs.jsonl')]);
    expect(ds.format).toBe('pairs');
    expect(ds.languages).toEqual(['de', 'en', 'es', 'zh']);
    expect(ds.pairs).toEqual([
      { group: 'g1', queryLang: 'de', passageLang: 'de', query: 'Hauptstadt von Frankreich?', positive: 'Paris ist die Hauptstadt Frankreichs.', negatives: ['Lyon liegt an der Rhône.'] },
      { group: 'g1', queryLang: 'en', passageLang: 'en', query: 'Capital of France?', positive: 'Paris is the capital of France.', negatives: [] },
      { group: 'g1', queryLang: 'de', passageLang: 'en', query: 'Hauptstadt von Frankreich?', positive: 'Paris is the capital of France.', negatives: [] },
      { group: '2', queryLang: 'es', passageLang: 'es', query: '¿Río más largo?', positive: 'El Nilo es el río más largo.', negatives: [] },
      { group: 'g3', queryLang: 'zh', passageLang: 'en', query: '最长的河流？', positive: 'The Nile is the longest river.', negatives: ['The Amazon carries the most water.', 'Paris is the capital of France.'] },
    ]);
    expect(datasetStats(ds)).toEqual({
      languages: ['de', 'en', 'es', 'zh'],
      queries: { de: 2, en: 1, es: 1, zh: 1 },
      // en passages: "Paris is the capital…", "The Nile…", "The Amazon…" (distinct texts)
      candidates: { de: 2, en: 3, es: 1, zh: 0 },
      relevantPerQuery: { min: 1, mean: 1, max: 1 },
      errors: [],
    });
  });

  it('rejects a wrong negatives type with its path', async () => {
    const src = shardSourceFromBytes('pairs.jsonl', '{"group":"a","lang":"de","query":"q","positive":"p","negatives":["x", 3]}\n');
    await expect(parseShard(src)).rejects.toMatchObject({ code: 'wrong-type', location: { file: 'pairs.jsonl', line: 1, path: 'negatives[1]' } });
  });
});
