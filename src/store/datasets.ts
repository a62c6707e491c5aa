/** Reading and removing stored datasets. */
import { runsNeeding } from './train-runs.ts';
import { LabError } from '../core/errors.ts';
import type { Dataset } from '../core/dataset/types.ts';
import type { LabDatabase } from './db.ts';
import type { DatasetRecord } from './schema.ts';
import { datasetFromRecords, partRange } from './parsed-cache.ts';

/** Every stored dataset, oldest first, without loading any text (records carry their stats). */
export async function listDatasets(db: LabDatabase): Promise<DatasetRecord[]> {
  return db.getAllFromIndex('datasets', 'byCreated');
}

/** A stored dataset's record, or the one error every caller gives when it is gone. */
export async function storedDatasetRecord(db: LabDatabase, id: string): Promise<DatasetRecord> {
  const rec = await db.get('datasets', id);
  if (!rec) throw new LabError('storage', `dataset ${id.slice(0, 12)}… is not in the browser's storage (removed in another tab?)`);
  return rec;
}

/** The parsed dataset as cached at import: no re-parse. */
export async function loadDataset(db: LabDatabase, id: string): Promise<Dataset> {
  const tx = db.transaction('parsed', 'readonly');
  const rec = await tx.store.get(id);
  if (!rec) throw new LabError('storage', `dataset ${id} is not in the browser's storage (removed in another tab?)`);
  const parts = rec.parts ? await tx.store.getAll(partRange(id)) : [];
  return datasetFromRecords(rec, parts);
}

/** The original bytes of a stored shard (for export or a rebuild). */
export async function shardBytes(db: LabDatabase, sha256: string): Promise<Blob> {
  const rec = await db.get('shards', sha256);
  if (!rec) throw new LabError('storage', `shard ${sha256.slice(0, 12)}… is not stored`);
  return rec.bytes;
}

export interface RemovalResult {
  removed: boolean;
  /** Hashes of shards deleted because no other dataset uses them. */
  deletedShards: string[];
}

/** Removes a dataset, its parsed cache, its cached results, and the shards no other dataset uses, in one transaction; refuses while a training run needs it. */
export async function removeDataset(db: LabDatabase, id: string): Promise<RemovalResult> {
  const tx = db.transaction(['shards', 'datasets', 'parsed', 'results', 'runs', 'mined'], 'readwrite');
  const datasets = tx.objectStore('datasets');
  const rec = await datasets.get(id);
  if (!rec) { await tx.done; return { removed: false, deletedShards: [] }; }
  const needing = runsNeeding(await tx.objectStore('runs').getAll(), id);
  if (needing.length) {
    tx.abort();
    await tx.done.catch(() => {});
    const r = needing[0]!;
    throw new LabError('invalid-argument', `dataset "${rec.name}" is used by ${needing.length === 1 ? 'a training run' : `${needing.length} training runs`} (${r.status} at step ${r.step} of ${r.config.train?.steps ?? '?'}, started ${new Date(r.createdAt).toLocaleString()})`,
      {}, 'cancel or delete the run in the Train panel first; the dataset was not removed');
  }
  await datasets.delete(id);
  await tx.objectStore('parsed').delete(id);
  await tx.objectStore('parsed').delete(partRange(id));
  await tx.objectStore('mined').delete(id);
  const results = tx.objectStore('results');
  for (const key of await results.index('byDataset').getAllKeys(id)) await results.delete(key);
  const deletedShards: string[] = [];
  for (const h of new Set(rec.shardHashes)) {
    const stillUsed = await datasets.index('byShard').count(h);
    if (stillUsed === 0) { await tx.objectStore('shards').delete(h); deletedShards.push(h); }
  }
  await tx.done;
  return { removed: true, deletedShards };
}

/** How many shards are stored (each once), for the storage panel and tests. */
export async function countShards(db: LabDatabase): Promise<number> {
  return db.count('shards');
}

/** Renames a stored dataset (the name shows on its card and in download file names; ids and results are unchanged). */
export async function renameDataset(db: LabDatabase, id: string, name: string): Promise<DatasetRecord> {
  const clean = name.trim();
  if (clean.length === 0 || clean.length > 200 || /[\u0000-\u001f]/.test(clean)) {
    throw new LabError('invalid-argument', `"${name}" is not a usable dataset name`, { path: 'name' }, '1 to 200 printable characters');
  }
  const tx = db.transaction('datasets', 'readwrite');
  const rec = await tx.store.get(id);
  if (!rec) {
    await tx.done.catch(() => undefined);
    throw new LabError('storage', `dataset ${id.slice(0, 12)}… is not in the browser's storage (removed in another tab?)`);
  }
  const next = { ...rec, name: clean };
  await tx.store.put(next);
  await tx.done;
  return next;
}

/** Other stored datasets that hold any of these shards (their bytes are stored once and shared). */
export async function datasetsSharing(db: LabDatabase, shardHashes: readonly string[], except: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const h of new Set(shardHashes)) {
    for (const rec of await db.getAllFromIndex('datasets', 'byShard', h)) {
      if (rec.id === except) continue;
      out.set(h, [...(out.get(h) ?? []), rec.name]);
    }
  }
  return out;
}
