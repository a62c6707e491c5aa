/** LAReQA semantics on a hand-made pair of files where every expected value is known by construction. */
import { describe, expect, it } from 'vitest';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import { datasetStats } from '../../../src/core/dataset/stats.ts';
import { fixture } from './helpers.ts';

describe('LAReQA (mini.de.json + mini.en.json)', () => {
  it('links questions across languages by id, including abutting sentences and a question only one language has', async () => {
    const ds = await loadDatasetFromPaths([fixture('lareqa/mini.en.json'), fixture('lareqa/mini.de.json')]);
    expect(ds.name).toBe('lareqa');
    expect(ds.languages).toEqual(['de', 'en']);
    // de first (shards are ordered by language), sentences in file order with 0-based article/paragraph/sentence.
    expect(ds.passages.map((p) => p.id)).toEqual([
      'de/0/0/0', 'de/0/0/1', 'de/0/0/2', 'de/0/0/3', 'de/1/0/0', 'de/1/0/1', 'de/1/1/0', 'de/1/1/1', 'de/2/0/0',
      'en/0/0/0', 'en/0/0/1', 'en/0/0/2', 'en/1/0/0', 'en/1/0/1', 'en/1/1/0', 'en/1/1/1', 'en/2/0/0',
    ]);
    expect(ds.passages.find((p) => p.id === 'de/1/1/1')).toEqual({ id: 'de/1/1/1', lang: 'de', text: 'Madrid liegt in Spanien.', group: '1' });
    expect(ds.queries.map((q) => q.id)).toEqual(['de/q1', 'de/q2', 'de/q3', 'de/q4', 'de/q5', 'en/q1', 'en/q2', 'en/q3', 'en/q4', 'en/q5', 'en/q6']);
    expect(ds.queries[3]).toEqual({ id: 'de/q4', lang: 'de', text: 'Wo liegt Madrid?', group: 'q4' });
    const rel = (id: string) => Object.keys(ds.qrels[id]!).sort();
    expect(rel('de/q1')).toEqual(['de/0/0/0', 'en/0/0/0']);
    expect(rel('en/q2')).toEqual(['de/0/0/1', 'en/0/0/1']);
    // de article 1 has no space between sentences: answer_start == end of sentence 0 == start of sentence 1.
    expect(rel('de/q4')).toEqual(['de/1/1/1', 'en/1/1/1']);
    expect(rel('en/q3')).toEqual(['de/1/0/0', 'en/1/0/0']);
    // q6 exists only in English: its relevant set is the English sentence alone.
    expect(rel('en/q6')).toEqual(['en/2/0/0']);
    expect(Object.values(ds.qrels).every((r) => Object.values(r).every((v) => v === 1))).toBe(true);
    expect(datasetStats(ds)).toEqual({
      languages: ['de', 'en'],
      queries: { de: 5, en: 6 },
      candidates: { de: 9, en: 8 },
      relevantPerQuery: { min: 1, mean: 1.909091, max: 2 },
      errors: [],
    });
  });
});
