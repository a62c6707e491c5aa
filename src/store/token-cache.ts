/**
 * Token ids in IndexedDB, per dataset × tokenizer × max length × prefix × part
 * (queries / passages), so re-opening a dataset or re-running an evaluation
 * does not tokenize 100k passages again. Ids are stored ragged and
 * un-remapped: a vocabulary trim is applied after reading (batch.ts).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { LabError } from '../core/errors.ts';
import type { LabTokenizer, RaggedTokens } from '../core/tokenize/tokenizer.ts';
import { fromStoredBytes, toStoredBytes, type StoredBytes } from './stored-bytes.ts';

export interface TokenCacheKey {
  /** Content hash of the dataset (src/store/hash.ts datasetIdOf). */
  datasetHash: string;
  /** LabTokenizer.hash. */
  tokenizerHash: string;
  maxLength: number;
  prefix: string;
  /** Which text list of the dataset, e.g. 'queries' or 'passages'. */
  part: string;
}

interface TokenCacheSchema extends DBSchema {
  tokens: {
    key: string;
    value: { key: string; datasetHash: string; ids: StoredBytes; offsets: StoredBytes; count: number; storedAt: number; truncated?: number };
    indexes: { byDataset: string };
  };
}

export const TOKEN_CACHE_DB = 'polyglot-lab-token-cache';

export function tokenCacheKey(k: TokenCacheKey): string {
  return JSON.stringify([k.datasetHash, k.tokenizerHash, k.maxLength, k.prefix, k.part]);
}

export class IdbTokenCache {
  private db: Promise<IDBPDatabase<TokenCacheSchema>> | undefined;

  constructor(private readonly dbName = TOKEN_CACHE_DB) {}

  private open(): Promise<IDBPDatabase<TokenCacheSchema>> {
    this.db ??= openDB<TokenCacheSchema>(this.dbName, 1, {
      upgrade(db) {
        const s = db.createObjectStore('tokens', { keyPath: 'key' });
        s.createIndex('byDataset', 'datasetHash');
      },
    }).catch((e: unknown) => {
      this.db = undefined;
      throw new LabError('storage', `cannot open the token cache (IndexedDB): ${e instanceof Error ? e.message : String(e)}`);
    });
    return this.db;
  }

  /** Cached ids for exactly `count` texts, or undefined (a different text count means a stale entry). */
  async get(k: TokenCacheKey, count: number): Promise<RaggedTokens | undefined> {
    const rec = await (await this.open()).get('tokens', tokenCacheKey(k));
    if (!rec || rec.count !== count) return undefined;
    const [ids, offsets] = await Promise.all([fromStoredBytes(rec.ids), fromStoredBytes(rec.offsets)]);
    return { ids: new Int32Array(ids), offsets: new Int32Array(offsets), ...(rec.truncated !== undefined ? { truncated: rec.truncated } : {}) };
  }

  async put(k: TokenCacheKey, t: RaggedTokens): Promise<void> {
    const rec = {
      key: tokenCacheKey(k), datasetHash: k.datasetHash, count: t.offsets.length - 1, storedAt: Date.now(),
      // Blobs: a large corpus's ids are over the ~133 MB Chromium takes as one ArrayBuffer value.
      ids: toStoredBytes(t.ids), offsets: toStoredBytes(t.offsets),
      ...(t.truncated !== undefined ? { truncated: t.truncated } : {}),
    };
    try {
      await (await this.open()).put('tokens', rec);
    } catch (e) {
      if (e instanceof LabError) throw e;
      if ((e as { name?: string }).name === 'QuotaExceededError') {
        throw new LabError('quota-exceeded', `browser storage is full: cannot cache the token ids of ${k.part}`, {}, 'free space: clear cached models or datasets');
      }
      throw new LabError('storage', `cannot write token ids to the cache: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Drops every entry of a dataset (call when the dataset is removed). */
  async deleteDataset(datasetHash: string): Promise<number> {
    const db = await this.open();
    const tx = db.transaction('tokens', 'readwrite');
    const keys = await tx.store.index('byDataset').getAllKeys(datasetHash);
    for (const key of keys) await tx.store.delete(key);
    await tx.done;
    return keys.length;
  }

  close(): void {
    void this.db?.then((d) => d.close());
    this.db = undefined;
  }
}

/**
 * Tokenizes `texts` through the cache: a hit returns stored ids, a miss
 * tokenizes and stores them. A full disk only costs the cache entry.
 */
export async function tokenizeCached(
  cache: IdbTokenCache, tokenizer: LabTokenizer, texts: readonly string[],
  key: Omit<TokenCacheKey, 'tokenizerHash'>,
  onProgress?: (done: number) => void,
): Promise<{ tokens: RaggedTokens; fromCache: boolean; cacheWarning?: string }> {
  const full: TokenCacheKey = { ...key, tokenizerHash: tokenizer.hash };
  const hit = await cache.get(full, texts.length).catch(() => undefined);
  if (hit) return { tokens: hit, fromCache: true };
  const tokens = tokenizer.encodeBatch(texts, { maxLength: key.maxLength, prefix: key.prefix }, onProgress);
  try {
    await cache.put(full, tokens);
    return { tokens, fromCache: false };
  } catch (e) {
    return { tokens, fromCache: false, cacheWarning: e instanceof Error ? e.message : String(e) };
  }
}
