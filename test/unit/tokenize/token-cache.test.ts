import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IdbTokenCache, tokenizeCached } from '../../../src/store/token-cache.ts';
import { LabTokenizer } from '../../../src/core/tokenize/tokenizer.ts';

const json = readFileSync(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));

describe('token cache (IndexedDB)', () => {
  it('stores ids per dataset, tokenizer, max length, prefix and part; a hit equals a fresh tokenization', async () => {
    const tok = await LabTokenizer.fromSource({ tokenizerJson: json });
    const cache = new IdbTokenCache('test-token-cache');
    const texts = ['Hallo Welt', 'Bonjour le monde, comment ça va ?', '世界你好'];
    const key = { datasetHash: 'd1', maxLength: 8, prefix: 'passage: ', part: 'passages' };
    const first = await tokenizeCached(cache, tok, texts, key);
    expect(first.fromCache).toBe(false);
    const again = await tokenizeCached(cache, tok, texts, key);
    expect(again.fromCache).toBe(true);
    expect(Array.from(again.tokens.ids)).toEqual(Array.from(tok.encodeBatch(texts, { maxLength: 8, prefix: 'passage: ' }).ids));
    expect(Array.from(again.tokens.offsets)).toEqual(Array.from(first.tokens.offsets));
    // Any part of the key changing is a miss.
    for (const k of [{ ...key, maxLength: 9 }, { ...key, prefix: 'query: ' }, { ...key, part: 'queries' }, { ...key, datasetHash: 'd2' }]) {
      expect((await tokenizeCached(cache, tok, texts, k)).fromCache).toBe(false);
    }
    const otherTok = await LabTokenizer.fromSource({ tokenizerJson: json, tokenizerConfig: new TextEncoder().encode('{"model_max_length": 512}') });
    expect((await tokenizeCached(cache, otherTok, texts, key)).fromCache).toBe(false);
    // A different number of texts under the same key is stale, not a hit.
    expect((await tokenizeCached(cache, tok, texts.slice(0, 2), key)).fromCache).toBe(false);
    // Deleting a dataset drops all of its entries and only those.
    expect(await cache.deleteDataset('d1')).toBeGreaterThanOrEqual(4);
    expect(await cache.get({ ...key, tokenizerHash: tok.hash }, 2)).toBeUndefined();
    expect(await cache.get({ ...key, datasetHash: 'd2', tokenizerHash: tok.hash }, 3)).toBeDefined();
  });
});
