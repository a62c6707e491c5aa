/**
 * Training runs and their checkpoints in IndexedDB (stores `runs` and
 * `checkpoints`, DB version 3). A checkpoint and the run's step and history
 * are written in one transaction, after a quota check, so storage holds
 * either the previous checkpoint or the new one with its matching history,
 * never a mix; a failed write (quota, a closed database) leaves the previous
 * one. A run keeps exactly one checkpoint: its latest.
 */
import { LabError } from '../core/errors.ts';
import type { TrainerCheckpoint } from '../core/train/trainer.ts';
import { describe, type LabDatabase } from './db.ts';
import type { StoredTensor, TrainRunRecord, TrainRunStatus } from './schema.ts';
import type { StorageEstimateInfo } from './storage-info.ts';
import { toStoredBytes } from './stored-bytes.ts';

/** Statuses from which a run can continue: its checkpoint (or its start) is intact. */
export const RESUMABLE: readonly TrainRunStatus[] = ['running', 'paused', 'failed'];

export function isResumable(r: Pick<TrainRunRecord, 'status'>): boolean {
  return RESUMABLE.includes(r.status);
}

/** Bytes a checkpoint takes (weights and both moments; the rest is small). */
export function checkpointBytes(c: Pick<TrainerCheckpoint, 'weights' | 'moments'>): number {
  let n = 0;
  for (const w of Object.values(c.weights)) n += w.byteLength;
  for (const m of Object.values(c.moments)) n += m.m.byteLength + m.v.byteLength;
  return n;
}

/**
 * Throws 'quota-exceeded' when the browser's estimate leaves too little room for `bytes` more. Until its
 * transaction commits the new checkpoint sits beside the old one, so the whole size must fit on top of
 * the current usage, with a margin for IndexedDB's own overhead. No estimate (an old browser) passes:
 * the write itself then fails cleanly if the disk is full.
 */
export function ensureRoom(bytes: number, estimate: StorageEstimateInfo, what: string): void {
  if (estimate.quota === undefined || estimate.usage === undefined) return;
  const free = estimate.quota - estimate.usage;
  const need = Math.ceil(bytes * 1.1);
  if (need > free) {
    const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;
    throw new LabError('quota-exceeded', `${what} needs ${mb(need)} but the browser allows this site only ${mb(Math.max(0, free))} more`, {},
      'free space: remove datasets, cached models or finished runs in the storage panel, then resume');
  }
}

export async function createRun(db: LabDatabase, run: TrainRunRecord): Promise<void> {
  await db.add('runs', run);
}

export async function getRun(db: LabDatabase, id: string): Promise<TrainRunRecord> {
  const r = await db.get('runs', id);
  if (!r) throw new LabError('storage', `training run ${id.slice(0, 12)} is not in the browser's storage (deleted in another tab?)`);
  return r;
}

/** Every run, newest first. */
export async function listRuns(db: LabDatabase): Promise<TrainRunRecord[]> {
  return (await db.getAllFromIndex('runs', 'byCreated')).reverse();
}

/** Changes a run's status (and other small fields) without touching its checkpoint. */
export async function updateRun(db: LabDatabase, id: string, patch: Partial<Omit<TrainRunRecord, 'id' | 'history' | 'step'>>): Promise<TrainRunRecord> {
  const tx = db.transaction('runs', 'readwrite');
  const r = await tx.store.get(id);
  if (!r) throw new LabError('storage', `training run ${id.slice(0, 12)} is not in the browser's storage (deleted in another tab?)`);
  const next: TrainRunRecord = { ...r, ...patch, updatedAt: Date.now() };
  // An explicit undefined clears the field (e.g. a resumed run's old error).
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (next as unknown as Record<string, unknown>)[k];
  await tx.store.put(next);
  await tx.done;
  return next;
}

/** Writes the checkpoint and the run's matching step and history in one transaction, after checking the quota. */
export async function saveCheckpoint(db: LabDatabase, runId: string, c: TrainerCheckpoint, estimate: () => Promise<StorageEstimateInfo>): Promise<void> {
  ensureRoom(checkpointBytes(c), await estimate(), `the checkpoint of step ${c.step}`);
  const { history, weights, moments, ...rest } = c;
  const stored = {
    ...rest,
    weights: mapValues(weights, toStoredBytes),
    moments: mapValues(moments, (x) => ({ m: toStoredBytes(x.m), v: toStoredBytes(x.v) })),
  };
  try {
    const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
    const run = await tx.objectStore('runs').get(runId);
    if (!run) {
      tx.abort();
      throw new LabError('storage', `training run ${runId.slice(0, 12)} was deleted while it ran`);
    }
    await tx.objectStore('checkpoints').put({ ...stored, runId });
    await tx.objectStore('runs').put({ ...run, step: c.step, history, updatedAt: Date.now() });
    await tx.done;
  } catch (e) {
    if (e instanceof LabError) throw e;
    const quota = e instanceof Error && e.name === 'QuotaExceededError';
    throw new LabError(quota ? 'quota-exceeded' : 'storage', `could not store the checkpoint of step ${c.step}: ${describe(e)}; the previous checkpoint is kept`);
  }
}

/** The run's latest checkpoint with the history it was written with, or undefined before the first. */
export async function loadCheckpoint(db: LabDatabase, runId: string): Promise<TrainerCheckpoint | undefined> {
  const tx = db.transaction(['runs', 'checkpoints'], 'readonly');
  const [run, c] = await Promise.all([tx.objectStore('runs').get(runId), tx.objectStore('checkpoints').get(runId)]);
  await tx.done;
  if (!run) throw new LabError('storage', `training run ${runId.slice(0, 12)} is not in the browser's storage`);
  if (!c) return undefined;
  if (c.step !== run.step) throw new LabError('storage', `the checkpoint of run ${runId.slice(0, 12)} is at step ${c.step} but its history at ${run.step}`);
  const { runId: _, weights, moments, ...rest } = c;
  const tensor = async (t: StoredTensor): Promise<Float32Array> => (t instanceof Float32Array ? t : new Float32Array(await t.arrayBuffer()));
  const entries = await Promise.all(Object.entries(weights).map(async ([k, t]) => [k, await tensor(t)] as const));
  const mEntries = await Promise.all(Object.entries(moments).map(async ([k, x]) => [k, { m: await tensor(x.m), v: await tensor(x.v) }] as const));
  return { ...rest, weights: Object.fromEntries(entries), moments: Object.fromEntries(mEntries), history: run.history };
}

function mapValues<T, U>(o: Record<string, T>, f: (t: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** Deletes a run and its checkpoint together. */
export async function deleteRun(db: LabDatabase, id: string): Promise<void> {
  const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
  await tx.objectStore('runs').delete(id);
  await tx.objectStore('checkpoints').delete(id);
  await tx.done;
}

/** Cancels a run that is not running here (paused, interrupted, failed): it can no longer continue, and its checkpoint is freed. */
export async function cancelRun(db: LabDatabase, id: string): Promise<TrainRunRecord> {
  const r = await getRun(db, id);
  if (!isResumable(r)) throw new LabError('invalid-argument', `the run is already ${r.status}`);
  const next = await updateRun(db, id, { status: 'cancelled' });
  await dropCheckpoint(db, id);
  return next;
}

/** Drops a finished or cancelled run's checkpoint (its weights are no longer needed to continue). */
export async function dropCheckpoint(db: LabDatabase, id: string): Promise<void> {
  await db.delete('checkpoints', id);
}

/** Runs that still need this dataset (not done or cancelled): removing it would strand them. */
export function runsNeeding(runs: readonly TrainRunRecord[], datasetId: string): TrainRunRecord[] {
  return runs.filter((r) => isResumable(r) && (r.trainDatasetIds.includes(datasetId) || r.evalDatasetIds.includes(datasetId)));
}
