/**
 * Embeddings in IndexedDB (database `polyglot-lab-embedding-cache`), one
 * record per (model content, dataset content, max length, prefix, pooling,
 * part), so a second evaluation of the same model on the same dataset — or a
 * re-render after a reload — embeds nothing. A trimmed or fine-tuned model
 * has another content hash, so it never reads the base model's vectors.
 * Removing a dataset or a model drops its records (byDataset / byModel).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { LabError } from '../core/errors.ts';
import { formatBytes } from '../core/format.ts';
import { embeddingCacheKey, type EmbeddingCache, type EmbeddingCacheKey } from '../core/eval/embedding-cache.ts';
import type { EmbeddingMatrix } from '../core/eval/scorer.ts';
import { fromStoredBytes, storedByteLength, toStoredBytes, type StoredBytes } from './stored-bytes.ts';

interface EmbeddingCacheSchema extends DBSchema {
  embeddings: {
    key: string;
    value: { key: string; modelHash: string; datasetHash: string; rows: number; dim: number; data: StoredBytes; storedAt: number };
    indexes: { byDataset: string; byModel: string };
  };
}

export const EMBEDDING_CACHE_DB = 'polyglot-lab-embedding-cache';

export class IdbEmbeddingCache implements EmbeddingCache {
  private db: Promise<IDBPDatabase<EmbeddingCacheSchema>> | undefined;

  constructor(private readonly dbName = EMBEDDING_CACHE_DB) {}

  private open(): Promise<IDBPDatabase<EmbeddingCacheSchema>> {
    this.db ??= openDB<EmbeddingCacheSchema>(this.dbName, 1, {
      upgrade(db) {
        const s = db.createObjectStore('embeddings', { keyPath: 'key' });
        s.createIndex('byDataset', 'datasetHash');
        s.createIndex('byModel', 'modelHash');
      },
    }).catch((e: unknown) => {
      this.db = undefined;
      throw new LabError('storage', `cannot open the embedding cache (IndexedDB): ${e instanceof Error ? e.message : String(e)}`);
    });
    return this.db;
  }

  async get(k: EmbeddingCacheKey, rows: number): Promise<EmbeddingMatrix | undefined> {
    try {
      const rec = await (await this.open()).get('embeddings', embeddingCacheKey(k));
      if (!rec || rec.rows !== rows || storedByteLength(rec.data) !== rows * rec.dim * 4) return undefined;
      return { rows: rec.rows, dim: rec.dim, data: new Float32Array(await fromStoredBytes(rec.data)) };
    } catch {
      return undefined; // an unreadable cache is a miss, never a failed evaluation
    }
  }

  /** Stores one matrix; a full disk or a broken database gives a warning, never a failed evaluation. */
  async put(k: EmbeddingCacheKey, m: EmbeddingMatrix): Promise<string | undefined> {
    const rec = {
      key: embeddingCacheKey(k), modelHash: k.modelHash, datasetHash: k.datasetHash, rows: m.rows, dim: m.dim,
      data: toStoredBytes(m.data), storedAt: Date.now(),
    };
    try {
      await (await this.open()).put('embeddings', rec);
      return undefined;
    } catch (e) {
      if ((e as { name?: string }).name === 'QuotaExceededError') {
        return `browser storage is full: the ${formatBytes(m.data.byteLength)} of ${k.part} embeddings were not cached, so the next evaluation embeds them again (free space: remove cached models or datasets)`;
      }
      return `the ${k.part} embeddings were not cached: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private async deleteBy(index: 'byDataset' | 'byModel', value: string): Promise<number> {
    const db = await this.open();
    const tx = db.transaction('embeddings', 'readwrite');
    const keys = await tx.store.index(index).getAllKeys(value);
    for (const key of keys) await tx.store.delete(key);
    await tx.done;
    return keys.length;
  }

  /** Drops every embedding of a dataset (the dataset was removed). */
  deleteDataset(datasetHash: string): Promise<number> {
    return this.deleteBy('byDataset', datasetHash);
  }

  /** Drops every embedding of a model (it was removed from the model cache). */
  deleteModel(modelHash: string): Promise<number> {
    return this.deleteBy('byModel', modelHash);
  }

  async count(): Promise<number> {
    return (await this.open()).count('embeddings');
  }

  close(): void {
    void this.db?.then((d) => d.close());
    this.db = undefined;
  }
}
