/**
 * A training run over a stored dataset, as the model worker runs it
 * (IndexedDB through fake-indexeddb, the tiny BERT on tfjs wasm, real
 * XQuAD-R de/en/zh): paused, "reloaded" (a fresh session and database
 * handle), resumed and finished, it equals an uninterrupted run bit for bit;
 * the base and trained results are kept with the RunConfig; bad input is
 * refused before anything is stored; a full disk fails the checkpoint and
 * keeps the previous one; a dataset a run needs cannot be removed, and a
 * dataset gone from storage is named when the run resumes.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from './helpers.ts';
import { commitImport } from '../../../src/store/commit.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { sha256Hex } from '../../../src/store/hash.ts';
import { removeDataset } from '../../../src/store/datasets.ts';
import { createStoredRun, runStoredTraining, type TrainStartRequest, type StoredTrainingOptions } from '../../../src/store/stored-training.ts';
import { cancelRun, ensureRoom, getRun, listRuns, loadCheckpoint } from '../../../src/store/train-runs.ts';
import { ModelSession } from '../../../src/core/model/session.ts';
import { datasetStats } from '../../../src/core/dataset/stats.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import type { LabDatabase } from '../../../src/store/db.ts';
import type { HistoryEntry } from '../../../src/core/train/trainer.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { loadXquadR, xquadRPaths } from '../eval/xquad-r.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { checkResults } from '../../../src/core/eval/results-schema.ts';

const LANGS = ['de', 'en', 'zh'];
let xquad: Dataset;

async function storedXquad(db: LabDatabase): Promise<string> {
  const shards = await Promise.all(xquadRPaths(LANGS).map(async (p) => {
    const bytes = new Uint8Array(readFileSync(p));
    const name = p.split('/').at(-1)!;
    return { meta: { sha256: await sha256Hex(bytes), name, format: 'lareqa', lang: name.slice(0, 2), size: bytes.byteLength, addedAt: 1 }, bytes: new Blob([bytes]) };
  }));
  const stats = datasetStats(xquad);
  const rec = await commitImport(db, { name: 'xquad-r', shards, dataset: xquad, stats, perLanguage: summarizeLanguages(xquad, stats) });
  return rec.id;
}

async function session(): Promise<ModelSession> {
  const s = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
  await s.load(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), {
    label: 'tiny-bert', source: { source: 'hub', id: 'test-org/tiny-bert', revision: 'main', host: 'http://127.0.0.1' }, fromCache: false, totalBytes: 0, seconds: 0,
  });
  return s;
}

function request(id: string, over: Partial<TrainStartRequest['train']> = {}): TrainStartRequest {
  return {
    trainDatasetIds: [id], trainSplit: 'train', evalDatasetIds: [id], evalSplit: 'test', seed: 3, evalBatchSize: 32,
    tokenization: { maxLength: 24, queryPrefix: 'query: ', passagePrefix: 'passage: ' },
    train: { sampler: 'hybrid', batchSize: 6, steps: 6, lr: 5e-3, warmupSteps: 1, checkpointEvery: 2, splitFractions: { train: 0.6, validation: 0.2, test: 0.2 }, ...over },
  };
}

const roomy = async () => ({ usage: 0, quota: 1e12 });
const opts = (o: Partial<StoredTrainingOptions> = {}): StoredTrainingOptions => ({ scorer: 'cpu', backend: 'wasm', estimate: roomy, ...o });

beforeAll(async () => {
  await initNodeBackend('wasm');
  xquad = await loadXquadR(LANGS);
});

describe('stored training runs', () => {
  it('pause, reload, resume and finish equal an uninterrupted run; base and trained results are kept', async () => {
    const db = await freshDb();
    const id = await storedXquad(db);

    // Uninterrupted.
    const s1 = await session();
    const straight = await createStoredRun(db, s1, request(id), 'wasm');
    expect(straight.status).toBe('paused');
    expect(straight.config).toMatchObject({ kind: 'train', model: { source: 'hub', id: 'test-org/tiny-bert' }, datasets: [{ name: 'xquad-r', split: 'test' }], train: { data: [{ split: 'train' }] } });
    const steps: HistoryEntry[] = [];
    const done = await runStoredTraining(db, s1, straight.id, opts({ onStep: (h) => steps.push(h) }));
    expect(done.status).toBe('done');
    expect(done.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.map((h) => h.loss)).toEqual(done.history.map((h) => h.loss));
    expect(done.base).toHaveLength(1);
    expect(done.trained).toHaveLength(1);
    expect(done.base![0]!.description.config).toEqual(done.config);
    expect(done.trained![0]!.description.model).toBe('tiny-bert (trained, 6 steps)');
    // What the page stores passes the schema a share link or an opened file is checked with.
    expect(checkResults(done.trained![0])).toEqual(done.trained![0]);
    expect(checkResults(done.base![0])).toEqual(done.base![0]);
    expect(done.trained![0]!.settings.mono!.macro.map).not.toBe(done.base![0]!.settings.mono!.macro.map);
    expect(await loadCheckpoint(db, straight.id)).toBeUndefined(); // a finished run frees its checkpoint
    // Maps of the same candidate sample before and after training, by PCA and UMAP.
    expect(done.maps!.base.map((m) => m.method)).toEqual(['pca', 'umap']);
    expect(done.maps!.trained!.map((m) => m.points.map((p) => p.id))).toEqual(done.maps!.base.map((m) => m.points.map((p) => p.id)));
    expect(done.maps!.trained![0]!.points[0]!.x).not.toBe(done.maps!.base[0]!.points[0]!.x);
    // The session's weights are trained: another content hash.
    expect(s1.holdsWeightsOf(straight.model.contentHash)).toBe(true);
    expect(s1.contentHash).not.toBe(straight.model.contentHash);

    // Paused after step 3: the checkpoint holds step 3 and its history.
    const s2 = await session();
    const interrupted = await createStoredRun(db, s2, request(id), 'wasm');
    let n = 0;
    const paused = await runStoredTraining(db, s2, interrupted.id, opts({ pauseRequested: () => ++n >= 3 }));
    expect(paused.status).toBe('paused');
    expect(paused.step).toBe(3);
    expect((await loadCheckpoint(db, interrupted.id))!.step).toBe(3);

    // A reload: a new session loads the same base model; the run resumes from its checkpoint.
    const s3 = await session();
    const resumed = await runStoredTraining(db, s3, interrupted.id, opts());
    expect(resumed.status).toBe('done');
    expect(resumed.history.map((h) => h.loss)).toEqual(done.history.map((h) => h.loss)); // bit-identical on wasm
    expect(resumed.trained![0]!.settings).toEqual(done.trained![0]!.settings);
    expect((await listRuns(db)).map((r) => r.id)).toEqual([interrupted.id, straight.id]);
  }, 300_000);

  it('refuses bad input before anything is stored', async () => {
    const db = await freshDb();
    const id = await storedXquad(db);
    const s = await session();
    const bad = async (req: TrainStartRequest, match: RegExp) => {
      await expect(createStoredRun(db, s, req, 'wasm')).rejects.toThrow(match);
    };
    await bad(request(id, { alpha: { kind: 'constant', alpha: 1.5 } }), /train\.alpha/);
    await bad({ ...request(id), train: { ...request(id).train, bogus: 1 } as TrainStartRequest['train'] }, /bogus/);
    await bad(request(id, { batchSize: 4000 }), /batch/i);
    await bad(request(id, { heldOutLanguages: ['vi'] }), /held-out language "vi" is not in dataset/);
    await bad(request(id, { heldOutLanguages: ['de', 'zh'], sampler: 'xy' }), /language/);
    await bad({ ...request(id), trainDatasetIds: ['nope'] }, /not in the browser's storage/);
    expect(await db.count('runs')).toBe(0);
    expect(await db.count('checkpoints')).toBe(0);
  }, 120_000);

  it('a full disk fails the checkpoint with a clear error and keeps the previous checkpoint', async () => {
    expect(() => ensureRoom(100e6, { usage: 950e6, quota: 1e9 }, 'the checkpoint of step 4')).toThrow(/needs 110\.0 MB but the browser allows this site only 50\.0 MB more/);
    expect(() => ensureRoom(10e6, { usage: 0, quota: 1e9 }, 'x')).not.toThrow();
    expect(() => ensureRoom(10e12, {}, 'x')).not.toThrow(); // no estimate: the write itself decides

    const db = await freshDb();
    const id = await storedXquad(db);
    const s = await session();
    const run = await createStoredRun(db, s, request(id), 'wasm');
    let calls = 0;
    // Room for the first checkpoint (step 2), then the disk is "full".
    const estimate = async () => (++calls === 1 ? { usage: 0, quota: 1e12 } : { usage: 1e9, quota: 1e9 });
    await expect(runStoredTraining(db, s, run.id, opts({ estimate }))).rejects.toMatchObject({ code: 'quota-exceeded' });
    const after = await getRun(db, run.id);
    expect(after.status).toBe('failed');
    expect(after.error?.message).toMatch(/checkpoint of step 4 needs/);
    expect(after.step).toBe(2);
    expect(after.history).toHaveLength(2);
    expect((await loadCheckpoint(db, run.id))!.step).toBe(2);
  }, 120_000);

  it('a dataset a run needs cannot be removed; one gone from storage is named when the run resumes; cancel frees the checkpoint', async () => {
    const db = await freshDb();
    const id = await storedXquad(db);
    const s = await session();
    const run = await createStoredRun(db, s, request(id), 'wasm');
    await expect(removeDataset(db, id)).rejects.toThrow(/dataset "xquad-r" is used by a training run \(paused at step 0 of 6/);
    expect(await db.count('datasets')).toBe(1);
    // Removed behind the run's back (another tab with an older app): the run says which dataset and what to do.
    await db.delete('datasets', id);
    await expect(runStoredTraining(db, s, run.id, opts())).rejects.toThrow(/the run's dataset "xquad-r" is no longer stored/);
    expect((await getRun(db, run.id)).status).toBe('paused'); // refused before any step: nothing changed
    // Cancelled, it no longer holds the dataset.
    expect((await cancelRun(db, run.id)).status).toBe('cancelled');
    await expect(runStoredTraining(db, s, run.id, opts())).rejects.toThrow(/the run is cancelled/);
  }, 120_000);

  it('the loaded model must be the run\'s model', async () => {
    const db = await freshDb();
    const id = await storedXquad(db);
    const s = await session();
    const run = await createStoredRun(db, s, request(id), 'wasm');
    const other = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
    await other.load(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-xlmr')), {
      label: 'other', source: { source: 'folder', name: 'other', sha256: '0'.repeat(64) }, fromCache: false, totalBytes: 0, seconds: 0,
    });
    await expect(runStoredTraining(db, other, run.id, opts())).rejects.toThrow(/the loaded model is not the run's model "tiny-bert"/);
  }, 120_000);
});
