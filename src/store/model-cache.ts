/**
 * Model files in IndexedDB, keyed by host|id|revision|file (see
 * src/core/hub/url.ts fileKey), so a model downloaded once loads again
 * offline. Implements the downloader's ModelFileCache.
 *
 * Each file is one record written in its own transaction; the downloader
 * writes a manifest record last, so a download cut off half-way never looks
 * like a complete model. Quota errors become LabError 'quota-exceeded'.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { LabError } from '../core/errors.ts';
import type { ModelFileCache } from '../core/hub/download.ts';
import { fromStoredBytes, toStoredBytes, type StoredBytes } from './stored-bytes.ts';

interface ModelCacheSchema extends DBSchema {
  files: { key: string; value: { key: string; bytes: StoredBytes; size: number; storedAt: number } };
}

export const MODEL_CACHE_DB = 'polyglot-lab-model-cache';

export interface ModelCacheEntry { key: string; size: number; storedAt: number }

export class IdbModelCache implements ModelFileCache {
  private db: Promise<IDBPDatabase<ModelCacheSchema>> | undefined;

  constructor(private readonly dbName = MODEL_CACHE_DB) {}

  private open(): Promise<IDBPDatabase<ModelCacheSchema>> {
    this.db ??= openDB<ModelCacheSchema>(this.dbName, 1, {
      upgrade(db) {
        db.createObjectStore('files', { keyPath: 'key' });
      },
    }).catch((e: unknown) => {
      this.db = undefined;
      throw new LabError('storage', `cannot open the model cache (IndexedDB): ${e instanceof Error ? e.message : String(e)}`);
    });
    return this.db;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const rec = await (await this.open()).get('files', key);
    return rec ? new Uint8Array(await fromStoredBytes(rec.bytes)) : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    try {
      // Exactly these bytes (a view may sit inside a larger buffer), as a Blob: a model file is often over the
      // ~133 MB Chromium takes as one ArrayBuffer value.
      await (await this.open()).put('files', { key, bytes: toStoredBytes(bytes), size: bytes.byteLength, storedAt: Date.now() });
    } catch (e) {
      if (e instanceof LabError) throw e;
      const name = (e as { name?: string }).name;
      if (name === 'QuotaExceededError') {
        throw new LabError('quota-exceeded', `browser storage is full: cannot cache ${key.split('|').pop() ?? key} (${bytes.byteLength} bytes)`, {},
          'free space: clear cached models or other site data');
      }
      throw new LabError('storage', `cannot write ${key} to the model cache: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Every stored file (without bytes), e.g. to show what is cached. */
  async list(): Promise<ModelCacheEntry[]> {
    const db = await this.open();
    const out: ModelCacheEntry[] = [];
    let cur = await db.transaction('files').store.openCursor();
    while (cur) {
      out.push({ key: cur.value.key, size: cur.value.size, storedAt: cur.value.storedAt });
      cur = await cur.continue();
    }
    return out;
  }

  /** Removes every file whose key starts with `prefix` (e.g. `host|id|revision|` for one model). */
  async deletePrefix(prefix: string): Promise<number> {
    const db = await this.open();
    const tx = db.transaction('files', 'readwrite');
    const keys = await tx.store.getAllKeys(IDBKeyRange.bound(prefix, prefix + '\uffff'));
    for (const k of keys) await tx.store.delete(k);
    await tx.done;
    return keys.length;
  }

  close(): void {
    void this.db?.then((d) => d.close());
    this.db = undefined;
  }
}
