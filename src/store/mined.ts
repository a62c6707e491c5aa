/**
 * Hard negatives mined for a stored dataset (core/train/mine.ts, BM25), kept
 * beside it in IndexedDB (one record per dataset, removed with it): what the
 * page shows per pair and exports as pairs JSONL. The whole dataset is the
 * mining pool here (a training run mines its own train split again from its
 * RunConfig's `train.mining`, the same way).
 */
import { bm25Model } from '../core/bm25/search.ts';
import { LabError } from '../core/errors.ts';
import { mineHardNegatives, type MiningSettings } from '../core/train/mine.ts';
import { buildTrainingPool } from '../core/train/pool.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset } from './datasets.ts';
import type { MinedRecord } from './schema.ts';

export async function mineStoredDataset(db: LabDatabase, datasetId: string, settings: MiningSettings, signal?: AbortSignal): Promise<MinedRecord> {
  const ds = await loadDataset(db, datasetId);
  const pool = buildTrainingPool(ds);
  const report = await mineHardNegatives(pool, [ds], bm25Model(), settings, signal);
  const record: MinedRecord = { datasetId, settings: { method: 'bm25', ...settings }, report, createdAt: Date.now() };
  const tx = db.transaction(['datasets', 'mined'], 'readwrite');
  // A dataset removed while mining ran keeps nothing behind.
  if (!(await tx.objectStore('datasets').get(datasetId))) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new LabError('storage', 'the dataset was removed while its negatives were mined; nothing was stored');
  }
  await tx.objectStore('mined').put(record);
  await tx.done;
  return record;
}

export async function loadMined(db: LabDatabase, datasetId: string): Promise<MinedRecord | undefined> {
  return db.get('mined', datasetId);
}
