/**
 * The one write path for an import: shard bytes, the dataset record and the
 * parsed cache go into a single readwrite transaction, issued only after
 * parsing succeeded. Either all of it is committed or none of it (a throw
 * anywhere aborts the transaction explicitly: idb would otherwise
 * auto-commit the requests already issued).
 */
import { LabError, isLabError } from '../core/errors.ts';
import type { Dataset, DatasetStats } from '../core/dataset/types.ts';
import type { LabDatabase } from './db.ts';
import { describe } from './db.ts';
import { datasetIdOf } from './hash.ts';
import type { DatasetRecord, LanguageSummary, ShardMeta } from './schema.ts';
import { formatBytes } from '../core/format.ts';
import { storageEstimate } from './storage-info.ts';
import { parsedRecords } from './parsed-cache.ts';

export interface ShardToStore {
  meta: ShardMeta;
  bytes: Blob;
}

export interface CommitInput {
  name: string;
  shards: ShardToStore[];
  dataset: Dataset;
  stats: DatasetStats;
  perLanguage: LanguageSummary[];
  /** Checked just before and inside the transaction: a cancelled import writes nothing. */
  signal?: AbortSignal;
}

/**
 * Test seam: called inside the transaction after the shard blobs were put and
 * before the dataset + cache, i.e. at the worst moment to fail. A throw here
 * must leave the database exactly as it was.
 */
export interface CommitFaults {
  afterShards?: () => void;
  /** Characters per part of the parsed cache (tests split small datasets; store/parsed-cache.ts). */
  partChars?: number;
}

export async function commitImport(db: LabDatabase, input: CommitInput, faults: CommitFaults = {}): Promise<DatasetRecord> {
  throwIfCancelled(input.signal);
  const shardHashes = input.shards.map((s) => s.meta.sha256);
  const id = await datasetIdOf(shardHashes);
  const record: DatasetRecord = {
    id,
    name: input.name,
    format: input.dataset.format,
    shards: input.shards.map((s) => s.meta),
    shardHashes,
    stats: input.stats,
    perLanguage: input.perLanguage,
    createdAt: Date.now(),
  };

  const tx = db.transaction(['shards', 'datasets', 'parsed'], 'readwrite');
  try {
    const existing = await tx.objectStore('datasets').get(id);
    if (existing) {
      throw new LabError('duplicate-shard', `these ${input.shards.length === 1 ? 'file is' : `${input.shards.length} files are`} already stored as dataset "${existing.name}" (added ${new Date(existing.createdAt).toISOString()})`,
        { file: input.shards.map((s) => s.meta.name).join(', ') }, 'files not imported before; remove the stored dataset first to re-import it');
    }
    const shards = tx.objectStore('shards');
    for (const s of input.shards) {
      // Stored once by content: a shard another dataset already holds keeps its first record.
      if (!(await shards.getKey(s.meta.sha256))) await shards.put({ ...s.meta, bytes: s.bytes });
    }
    faults.afterShards?.();
    throwIfCancelled(input.signal);
    await tx.objectStore('datasets').put(record);
    for (const r of parsedRecords(id, input.dataset, faults.partChars)) await tx.objectStore('parsed').put(r);
    await tx.done;
    return record;
  } catch (e) {
    try { tx.abort(); } catch { /* already finished or aborted */ }
    await tx.done.catch(() => undefined);
    throw await toLabError(e, tx.error, input);
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LabError('cancelled', 'import cancelled; nothing was stored');
}

async function toLabError(e: unknown, txError: DOMException | null, input: CommitInput): Promise<LabError> {
  if (isLabError(e)) return e;
  const quota = isQuota(e) || isQuota(txError);
  if (quota) return quotaError(input);
  return new LabError('storage', `saving the dataset to IndexedDB failed, nothing was stored: ${describe(txError ?? e)}`);
}

function isQuota(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';
}

async function quotaError(input: CommitInput): Promise<LabError> {
  const bytes = input.shards.reduce((s, x) => s + x.meta.size, 0);
  const est = await storageEstimate();
  const where = est.quota !== undefined
    ? `; this site already uses ${formatBytes(est.usage ?? 0)} of its ${formatBytes(est.quota)} quota`
    : '';
  return new LabError('quota-exceeded',
    `the browser refused to store ${input.shards.length} file(s) (${formatBytes(bytes)} of shards, plus the parsed dataset, roughly the same again)${where}. Nothing was stored.`,
    {}, 'enough free storage: remove a dataset, allow persistent storage, or free disk space');
}
