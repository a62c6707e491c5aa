/**
 * Tokenize worker: a thin comlink adapter over src/core/tokenize and the
 * IndexedDB token cache, so tokenizing a 100k-passage corpus never blocks the
 * page. Ragged ids come back as transferred buffers (no copy).
 */
import * as Comlink from 'comlink';
import { LabError } from '../src/core/errors.ts';
import { outcomeOf } from '../src/core/job.ts';
import { LabTokenizer, type RaggedTokens, type TokenizerSource } from '../src/core/tokenize/tokenizer.ts';
import { IdbTokenCache, tokenizeCached, type TokenCacheKey } from '../src/store/token-cache.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import {
  tokenizeStoredDatasets, type DatasetTokenizeOptions, type TokenizeProgress, type TokenizeSummary,
} from '../src/store/tokenize-datasets.ts';
import type { Outcome } from './protocol.ts';

export interface TokenizerInfo { hash: string; padId: number; unkId: number; vocabSize: number; prefixIds: number[]; suffixIds: number[]; modelMaxLength?: number }

let tokenizer: LabTokenizer | undefined;
const cache = new IdbTokenCache();
let labDb: Promise<LabDatabase> | undefined;

function transferRagged(t: RaggedTokens): RaggedTokens {
  return Comlink.transfer(t, [t.ids.buffer as ArrayBuffer, t.offsets.buffer as ArrayBuffer]);
}

function loadedTokenizer(): LabTokenizer {
  if (!tokenizer) throw new LabError('invalid-argument', 'no tokenizer is loaded');
  return tokenizer;
}

const api = {
  load(src: TokenizerSource): Promise<Outcome<TokenizerInfo>> {
    return outcomeOf(async () => {
      const t = await LabTokenizer.fromSource(src);
      tokenizer = t;
      return {
        hash: t.hash, padId: t.padId, unkId: t.unkId, vocabSize: t.vocabSize, prefixIds: [...t.prefixIds], suffixIds: [...t.suffixIds],
        ...(t.modelMaxLength !== undefined ? { modelMaxLength: t.modelMaxLength } : {}),
      };
    });
  },

  /** Tokenizes texts; with a cache key (dataset hash, part, …) through the IndexedDB token cache. */
  encode(texts: string[], opts: { maxLength: number; prefix?: string }, cacheKey?: Omit<TokenCacheKey, 'tokenizerHash' | 'maxLength' | 'prefix'>):
  Promise<Outcome<{ tokens: RaggedTokens; fromCache: boolean }>> {
    return outcomeOf(async () => {
      const tok = loadedTokenizer();
      if (!cacheKey) return { tokens: transferRagged(tok.encodeBatch(texts, opts)), fromCache: false };
      const r = await tokenizeCached(cache, tok, texts, { ...cacheKey, maxLength: opts.maxLength, prefix: opts.prefix ?? '' });
      return { tokens: transferRagged(r.tokens), fromCache: r.fromCache };
    });
  },

  /** Every query and passage of stored datasets, through the token cache, with the counts the model panel shows. */
  tokenizeDatasets(datasetIds: string[], opts: DatasetTokenizeOptions, onProgress?: (p: TokenizeProgress) => void): Promise<Outcome<TokenizeSummary>> {
    return outcomeOf(async () => {
      const tok = loadedTokenizer();
      labDb ??= openLabDb().catch((e: unknown) => { labDb = undefined; throw e; });
      return tokenizeStoredDatasets(await labDb, cache, tok, datasetIds, opts, onProgress ? (p) => void onProgress(p) : undefined);
    });
  },
};

export type TokenizeWorkerApi = typeof api;

Comlink.expose(api);
