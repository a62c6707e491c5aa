import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cachePartName, datasetTexts, distinctIds, mergeTokenStats, specialTokenIds, tokenStats,
} from '../../../src/core/tokenize/dataset-tokens.ts';
import { LabTokenizer } from '../../../src/core/tokenize/tokenizer.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';

const MBERT = readFileSync(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));

describe('token stats over ragged ids (hand-computed)', () => {
  // Two texts: [CLS] 5 7 [SEP] and [CLS] 7 7 9 [SEP] (the second one cut).
  const a = { ids: Int32Array.from([101, 5, 7, 102, 101, 7, 7, 9, 102]), offsets: Int32Array.from([0, 4, 9]), truncated: 1 };
  const b = { ids: Int32Array.from([101, 3, 102]), offsets: Int32Array.from([0, 3]), truncated: 0 };

  it('counts texts, tokens, the longest text, truncated texts and distinct ids', () => {
    const s = tokenStats(a);
    expect(s.texts).toBe(2);
    expect(s.totalTokens).toBe(9);
    expect(s.longest).toBe(5);
    expect(s.truncated).toBe(1);
    expect(Array.from(s.distinctIds)).toEqual([5, 7, 9, 101, 102]);
  });

  it('merges: sums, max, union of ids; truncation unknown when one part does not know it', () => {
    const m = mergeTokenStats([tokenStats(a), tokenStats(b)]);
    expect(m).toMatchObject({ texts: 3, totalTokens: 12, longest: 5, truncated: 1 });
    expect(Array.from(m.distinctIds)).toEqual([3, 5, 7, 9, 101, 102]);
    const unknown = mergeTokenStats([tokenStats(a), tokenStats({ ids: b.ids, offsets: b.offsets })]);
    expect(unknown.truncated).toBeUndefined();
    expect(mergeTokenStats([])).toMatchObject({ texts: 0, totalTokens: 0, longest: 0, truncated: 0 });
  });

  it('an empty ragged set has no tokens and no ids', () => {
    const s = tokenStats({ ids: new Int32Array(0), offsets: Int32Array.from([0]) });
    expect(s).toMatchObject({ texts: 0, totalTokens: 0, longest: 0 });
    expect(s.distinctIds.length).toBe(0);
  });

  it('distinctIds is the sorted union and ignores negative ids', () => {
    expect(Array.from(distinctIds([[4, 2, 2, -1], Int32Array.from([0, 4, 9])]))).toEqual([0, 2, 4, 9]);
  });
});

describe('truncation is counted where it happens', () => {
  it('a text that exactly fills the max length is not truncated; one token more is', async () => {
    const tok = await LabTokenizer.fromSource({ tokenizerJson: MBERT });
    const texts = ['Hallo Welt', 'Bonjour le monde, comment ça va ?', '世界你好'];
    const full = texts.map((t) => tok.encode(t, { maxLength: 10_000 }).length);
    const maxLength = full[0]!; // the first text fits exactly
    const r = tok.encodeBatch(texts, { maxLength });
    expect(r.truncated).toBe(full.filter((n) => n > maxLength).length);
    expect(r.truncated).toBeGreaterThan(0);
    expect(tokenStats(r).longest).toBe(maxLength);
    expect(tok.encodeBatch(texts, { maxLength: Math.max(...full) }).truncated).toBe(0);
  });
});

describe('special token ids', () => {
  it('mBERT: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103', async () => {
    const tok = await LabTokenizer.fromSource({ tokenizerJson: MBERT });
    expect(specialTokenIds(MBERT, tok)).toEqual([0, 100, 101, 102, 103]);
  });
  it('non-special added tokens are not kept as specials', () => {
    const json = new TextEncoder().encode(JSON.stringify({ added_tokens: [{ id: 7, special: true }, { id: 9, special: false }] }));
    expect(specialTokenIds(json, { prefixIds: [1], suffixIds: [2], padId: 0, unkId: 3 })).toEqual([0, 1, 2, 3, 7]);
  });
});

describe('dataset texts', () => {
  const base: Dataset = {
    name: 'x', format: 'miracl', languages: ['de'], qrels: {}, pairs: [], diagnostics: [],
    queries: [{ id: 'q', lang: 'de', text: 'Wer?', group: 'q' }],
    passages: [{ id: 'p1', lang: 'de', text: 'Er.', title: 'Titel' }, { id: 'p2', lang: 'de', text: 'Sie.' }],
  };
  it('queries as they are, passages as title + text (as BM25 indexes them)', () => {
    expect(datasetTexts(base, 'queries')).toEqual(['Wer?']);
    expect(datasetTexts(base, 'passages')).toEqual(['Titel Er.', 'Sie.']);
    expect(cachePartName('passages')).not.toBe(cachePartName('queries'));
  });
  it('training pairs: their queries, and each distinct positive/negative once in first-seen order', () => {
    const pairs: Dataset = {
      ...base, format: 'pairs', queries: [], passages: [],
      pairs: [
        { group: 'g', queryLang: 'de', passageLang: 'en', query: 'q1', positive: 'A', negatives: ['B', 'C'] },
        { group: 'g', queryLang: 'de', passageLang: 'en', query: 'q2', positive: 'C', negatives: ['A', 'D'] },
      ],
    };
    expect(datasetTexts(pairs, 'queries')).toEqual(['q1', 'q2']);
    expect(datasetTexts(pairs, 'passages')).toEqual(['A', 'B', 'C', 'D']);
  });
});
