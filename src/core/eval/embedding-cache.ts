/**
 * What a dense evaluation may cache: the embeddings of one part of one
 * dataset, keyed by everything that determines them — the model's content
 * (a trimmed or fine-tuned model is a different model), the dataset's
 * content, the max length, the prefix, the pooling and which texts. The
 * store (IndexedDB) implements it; the CLI runs without one.
 */
import type { EmbeddingMatrix } from './scorer.ts';

export interface EmbeddingCacheKey {
  /** ModelSession.contentHash. */
  modelHash: string;
  /** Content hash of the dataset (its id in the store). */
  datasetHash: string;
  maxLength: number;
  prefix: string;
  pooling: string;
  /** Which text list, e.g. 'queries' or 'passages:title+text' (cachePartName). */
  part: string;
}

export interface EmbeddingCache {
  /** The cached matrix when it has exactly `rows` rows, else undefined (a stale entry is a miss). */
  get(key: EmbeddingCacheKey, rows: number): Promise<EmbeddingMatrix | undefined>;
  /** Stores a matrix; returns a warning instead of throwing when storage is full (the evaluation still succeeds). */
  put(key: EmbeddingCacheKey, m: EmbeddingMatrix): Promise<string | undefined>;
}

export function embeddingCacheKey(k: EmbeddingCacheKey): string {
  return JSON.stringify([k.modelHash, k.datasetHash, k.maxLength, k.prefix, k.pooling, k.part]);
}
