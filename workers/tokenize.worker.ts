/**
 * Tokenize worker: a thin comlink adapter over src/core/tokenize and the
 * IndexedDB token cache, so tokenizing a 100k-passage corpus never blocks the
 * page. Ragged ids come back as transferred buffers (no copy).
 */
import * as Comlink from 'comlink';
import { isLabError, type DiagnosticJSON } from '../src/core/errors.ts';
import { LabTokenizer, type RaggedTokens, type TokenizerSource } from '../src/core/tokenize/tokenizer.ts';
import { IdbTokenCache, tokenizeCached, type TokenCacheKey } from '../src/store/token-cache.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import {
  tokenizeStoredDatasets, type DatasetTokenizeOptions, type TokenizeProgress, type TokenizeSummary,
} from '../src/store/tokenize-datasets.ts';

type Result<T> = { ok: true; value: T } | { ok: false; error: DiagnosticJSON };

export interface TokenizerInfo { hash: string; padId: number; unkId: number; vocabSize: number; prefixIds: number[]; suffixIds: number[]; modelMaxLength?: number }

let tokenizer: LabTokenizer | undefined;
const cache = new IdbTokenCache();
let labDb: Promise<LabDatabase> | undefined;

function fail(e: unknown): { ok: false; error: DiagnosticJSON } {
  return { ok: false, error: isLabError(e) ? e.toJSON() : { severity: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) } };
}

function transferRagged(t: RaggedTokens): RaggedTokens {
  return Comlink.transfer(t, [t.ids.buffer as ArrayBuffer, t.offsets.buffer as ArrayBuffer]);
}

const api = {
  async load(src: TokenizerSource): Promise<Result<TokenizerInfo>> {
    try {
      const t = await LabTokenizer.fromSource(src);
      tokenizer = t;
      return {
        ok: true,
        value: {
          hash: t.hash, padId: t.padId, unkId: t.unkId, vocabSize: t.vocabSize, prefixIds: [...t.prefixIds], suffixIds: [...t.suffixIds],
          ...(t.modelMaxLength !== undefined ? { modelMaxLength: t.modelMaxLength } : {}),
        },
      };
    } catch (e) {
      return fail(e);
    }
  },

  /** Tokenizes texts; with a cache key (dataset hash, part, …) through the IndexedDB token cache. */
  async encode(texts: string[], opts: { maxLength: number; prefix?: string }, cacheKey?: Omit<TokenCacheKey, 'tokenizerHash' | 'maxLength' | 'prefix'>):
  Promise<Result<{ tokens: RaggedTokens; fromCache: boolean }>> {
    try {
      if (!tokenizer) throw new Error('no tokenizer is loaded');
      if (!cacheKey) return { ok: true, value: { tokens: transferRagged(tokenizer.encodeBatch(texts, opts)), fromCache: false } };
      const r = await tokenizeCached(cache, tokenizer, texts, { ...cacheKey, maxLength: opts.maxLength, prefix: opts.prefix ?? '' });
      return { ok: true, value: { tokens: transferRagged(r.tokens), fromCache: r.fromCache } };
    } catch (e) {
      return fail(e);
    }
  },

  /** Every query and passage of stored datasets, through the token cache, with the counts the model panel shows. */
  async tokenizeDatasets(datasetIds: string[], opts: DatasetTokenizeOptions, onProgress?: (p: TokenizeProgress) => void):
  Promise<Result<TokenizeSummary>> {
    try {
      if (!tokenizer) throw new Error('no tokenizer is loaded');
      labDb ??= openLabDb().catch((e: unknown) => { labDb = undefined; throw e; });
      const summary = await tokenizeStoredDatasets(await labDb, cache, tokenizer, datasetIds, opts, onProgress ? (p) => void onProgress(p) : undefined);
      return { ok: true, value: summary };
    } catch (e) {
      return fail(e);
    }
  },
};

export type TokenizeWorkerApi = typeof api;

Comlink.expose(api);
