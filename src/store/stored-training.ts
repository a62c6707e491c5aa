/**
 * A training run over stored datasets, as the model worker runs it: the
 * RunConfig built from the page's choices and checked (config, data, model)
 * before anything is stored; the base model evaluated on the evaluation
 * datasets; the core loop (src/core/train/run.ts) with its checkpoints in
 * IndexedDB; the trained model evaluated; the run record updated at every
 * end (paused, failed, cancelled, done). Resuming — after a pause, a reload or
 * a crash — is the same call: it restores the run's last checkpoint.
 */
import { LabError, isLabError } from '../core/errors.ts';
import { throwIfCancelled, toDiagnostic, type Progress } from '../core/job.ts';
import type { DenseBackend } from '../core/eval/scoring-model.ts';
import type { EvalResults } from '../core/eval/results.ts';
import type { ExportOptions } from '../core/encoder/export.ts';
import type { ModelSession } from '../core/model/session.ts';
import { makeRunConfig, type DatasetRef, type RunConfigInput, type Tokenization } from '../core/run-config.ts';
import type { Dataset } from '../core/dataset/types.ts';
import { asTrainConfig, cutToSplit, prepareTrainingData, runTraining, trainerOptions, type TrainingData, type TrainRunConfig } from '../core/train/run.ts';
import { Trainer, type HistoryEntry } from '../core/train/trainer.ts';
import type { TrainingPool } from '../core/train/pool.ts';
import { embeddingMap, type EmbeddingMap } from '../core/eval/projection.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset } from './datasets.ts';
import type { IdbEmbeddingCache } from './embedding-cache.ts';
import type { TrainRunRecord } from './schema.ts';
import type { StorageEstimateInfo } from './storage-info.ts';
import { createRun, dropCheckpoint, getRun, isResumable, loadCheckpoint, saveCheckpoint, updateRun } from './train-runs.ts';
import { datasetRefOf } from './dataset-ref.ts';

type TrainSectionInput = Omit<NonNullable<RunConfigInput['train']>, 'data'>;

/** What the Train panel chooses; the worker adds the loaded model and the backend. */
export interface TrainStartRequest {
  trainDatasetIds: string[];
  /** Which part of the training datasets is trained on: their train split (default) or all of them. */
  trainSplit: 'train' | 'all';
  evalDatasetIds: string[];
  /** The held-out test split of each evaluation dataset (default), or all of it (zero-shot on another dataset). */
  evalSplit: 'test' | 'all';
  train: TrainSectionInput;
  tokenization: Tokenization;
  seed: number;
  evalBatchSize: number;
}

export interface StoredTrainingOptions {
  scorer: DenseBackend;
  backend: TrainRunConfig['backend'];
  signal?: AbortSignal;
  pauseRequested?(): boolean;
  onProgress?(p: Progress): void;
  onStep?(entry: HistoryEntry): void;
  /** The browser's storage estimate, asked before each checkpoint. */
  estimate(): Promise<StorageEstimateInfo>;
  cache?: IdbEmbeddingCache;
}

async function refOf(db: LabDatabase, id: string, split: DatasetRef['split'], where: string): Promise<DatasetRef> {
  const rec = await db.get('datasets', id);
  if (!rec) throw new LabError('storage', `dataset ${id.slice(0, 12)}… is not in the browser's storage (removed in another tab?)`, { path: where }, 'a stored dataset');
  return datasetRefOf(rec, split);
}

async function storedDataset(db: LabDatabase, id: string, ref: DatasetRef, where: string): Promise<Dataset> {
  if (!(await db.get('datasets', id))) {
    throw new LabError('storage', `the run's dataset "${ref.name}" is no longer stored (removed while the run used it)`, { path: where }, 'import the same shards again (the run names them by SHA-256), then resume');
  }
  return loadDataset(db, id);
}

interface RunData {
  data: TrainingData;
  evalSets: Dataset[];
}

/** Loads and checks everything the run reads: each mistake named before any step runs. */
async function loadRunData(db: LabDatabase, config: TrainRunConfig, trainIds: string[], evalIds: string[]): Promise<RunData> {
  const t = config.train;
  const trainSets: Dataset[] = [];
  const valSets: Dataset[] = [];
  for (const [i, id] of trainIds.entries()) {
    const ref = t.data[i]!;
    const full = await storedDataset(db, id, ref, `train.data[${i}]`);
    trainSets.push(cutToSplit(full, ref.split, config));
    if (t.validateEvery > 0) valSets.push(cutToSplit(full, 'validation', config));
  }
  const evalSets: Dataset[] = [];
  for (const [i, id] of evalIds.entries()) {
    const ref = config.datasets[i]!;
    evalSets.push(cutToSplit(await storedDataset(db, id, ref, `datasets[${i}]`), ref.split, config));
  }
  return { data: await prepareTrainingData(config, trainSets, valSets), evalSets };
}

/** Builds, checks and stores a new run (status "running", step 0); nothing is stored when a check fails. */
export async function createStoredRun(db: LabDatabase, session: ModelSession, req: TrainStartRequest, backend: TrainRunConfig['backend']): Promise<TrainRunRecord> {
  if (req.trainDatasetIds.length === 0) throw new LabError('invalid-argument', 'no training dataset chosen', { path: 'train.data' }, 'at least one stored dataset');
  if (req.evalDatasetIds.length === 0) throw new LabError('invalid-argument', 'no evaluation dataset chosen', { path: 'datasets' }, 'at least one stored dataset');
  const data = await Promise.all(req.trainDatasetIds.map((id, i) => refOf(db, id, req.trainSplit, `train.data[${i}]`)));
  const datasets = await Promise.all(req.evalDatasetIds.map((id, i) => refOf(db, id, req.evalSplit, `datasets[${i}]`)));
  const config = asTrainConfig(makeRunConfig({
    version: 1, kind: 'train', model: session.modelSource(), datasets, tokenization: req.tokenization, backend, seed: req.seed,
    eval: { settings: ['mono', 'cross', 'multi'], depth: 1000, batchSize: req.evalBatchSize },
    train: { ...req.train, data },
  }));
  return storeNewRun(db, session, config, req.trainDatasetIds, req.evalDatasetIds);
}

/**
 * Stores a new run of a whole RunConfig (an experiment's planned run) on stored datasets, whose refs are
 * replaced by the stored ones (same shards; the names as imported). The session must hold the config's model.
 */
export async function createStoredRunOf(db: LabDatabase, session: ModelSession, config: TrainRunConfig, trainIds: readonly string[], evalIds: readonly string[]): Promise<TrainRunRecord> {
  const data = await Promise.all(trainIds.map((id, i) => refOf(db, id, config.train.data[i]!.split, `train.data[${i}]`)));
  const datasets = await Promise.all(evalIds.map((id, i) => refOf(db, id, config.datasets[i]!.split, `datasets[${i}]`)));
  return storeNewRun(db, session, asTrainConfig({ ...config, datasets, train: { ...config.train, data } }), [...trainIds], [...evalIds]);
}

async function storeNewRun(db: LabDatabase, session: ModelSession, config: TrainRunConfig, trainIds: string[], evalIds: string[]): Promise<TrainRunRecord> {
  await loadRunData(db, config, trainIds, evalIds);
  const info = session.info();
  const now = Date.now();
  const run: TrainRunRecord = {
    id: globalThis.crypto.randomUUID(), config, trainDatasetIds: [...trainIds], evalDatasetIds: [...evalIds],
    model: { label: info.label, contentHash: session.contentHash }, status: 'paused', step: 0, history: [], createdAt: now, updatedAt: now,
  };
  await createRun(db, run);
  return run;
}

/** Points per language in a run's embedding maps: enough to see clusters, small enough to store with the run. */
export const MAP_POINTS_PER_LANGUAGE = 100;

async function evaluateAll(session: ModelSession, run: TrainRunRecord, sets: Dataset[], pool: TrainingPool, which: 'base' | 'trained', o: StoredTrainingOptions): Promise<{ results: EvalResults[]; maps: EmbeddingMap[] }> {
  const config = run.config;
  const out: EvalResults[] = [];
  let maps: EmbeddingMap[] = [];
  for (const [i, ds] of sets.entries()) {
    const ref = config.datasets[i]!;
    const r = await session.evaluate(ds, {
      tokenization: config.tokenization, scorer: o.scorer, config, batchSize: config.eval.batchSize,
      // Base embeddings are worth caching (the same model on the same split again); the trained model's hash is the run's own.
      ...(which === 'base' && o.cache ? { cache: o.cache, datasetHash: `${run.evalDatasetIds[i]}:${ref.split}:${config.seed}:${JSON.stringify(config.train?.splitFractions)}` } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: (p: Progress) => o.onProgress!({ ...p, phase: `${which} model: ${ds.name}: ${p.phase}` }) } : {}),
    });
    r.results.description.model = `${run.model.label} (${which === 'base' ? 'base' : `trained, ${run.step} steps`})`;
    r.results.description.params.trainRun = run.id;
    r.results.description.training = { languages: pool.languages, heldOut: pool.heldOut, steps: which === 'base' ? 0 : run.step };
    out.push(r.results);
    // The first evaluation dataset's candidates as maps (the same sample before and after training).
    if (i === 0 && ds.passages.length > 2) {
      const items = ds.passages.map((p) => ({ id: p.id, lang: p.lang, text: p.text }));
      maps = (['pca', 'umap'] as const).map((method) => embeddingMap(r.embeddings.passages, items, { method, perLang: MAP_POINTS_PER_LANGUAGE, seed: config.seed }));
    }
  }
  return { results: out, maps };
}

/**
 * Runs (or resumes) a stored run to its end or a pause. The session must hold the run's model (the
 * weights it started from, or weights trained from them); its weights are then those of the checkpoint.
 */
export async function runStoredTraining(db: LabDatabase, session: ModelSession, runId: string, o: StoredTrainingOptions): Promise<TrainRunRecord> {
  let run = await getRun(db, runId);
  if (!isResumable(run)) throw new LabError('invalid-argument', `the run is ${run.status}; only a paused, interrupted or failed run can continue`);
  if (!session.holdsWeightsOf(run.model.contentHash)) {
    throw new LabError('invalid-argument', `the loaded model is not the run's model "${run.model.label}"`, {}, `load ${run.model.label} (content hash ${run.model.contentHash.slice(0, 12)}…) in the model panel, then resume`);
  }
  const config = asTrainConfig(run.config);
  const { data, evalSets } = await loadRunData(db, config, run.trainDatasetIds, run.evalDatasetIds);
  const from = await loadCheckpoint(db, runId);
  const model = session.textModel();
  // Restoring weights below leaves the session's weights as trained; before the first checkpoint, they must be the base ones.
  if (!from && session.contentHash !== run.model.contentHash) {
    throw new LabError('invalid-argument', 'the loaded model was changed by training since this run started and the run has no checkpoint yet', {}, `load ${run.model.label} again, then resume`);
  }
  run = await updateRun(db, runId, { status: 'running', error: undefined });
  const trainer = new Trainer(model, data.pool, trainerOptions(config), from);
  try {
    if (!run.base) {
      throwIfCancelled(o.signal, 'training');
      const base = await evaluateAll(session, run, evalSets, data.pool, 'base', o);
      run = await updateRun(db, runId, { base: base.results, maps: { base: base.maps } });
    }
    await session.markTrained(`${runId}:running`);
    const end = await runTraining(trainer, model, data, config, o.scorer, {
      saveCheckpoint: (c) => saveCheckpoint(db, runId, c, o.estimate),
      ...(o.onStep ? { onStep: o.onStep } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    }, { ...(o.signal ? { signal: o.signal } : {}), ...(o.pauseRequested ? { pauseRequested: o.pauseRequested } : {}) });
    await session.markTrained(`${runId}:${end.step}`);
    if (end.kind === 'paused') return await updateRun(db, runId, { status: 'paused' });
    run = await getRun(db, runId);
    const trained = await evaluateAll(session, run, evalSets, data.pool, 'trained', o);
    run = await updateRun(db, runId, {
      status: 'done', trained: trained.results, maps: { base: run.maps?.base ?? [], trained: trained.maps }, ...(end.kind === 'stopped-early' ? { stoppedEarly: { step: end.step, bestLoss: end.bestLoss } } : {}),
    });
    await dropCheckpoint(db, runId);
    return run;
  } catch (e) {
    // A lost device aborts with its own error as the reason; a plain abort is the user's cancel.
    const reason: unknown = o.signal?.aborted ? o.signal.reason : undefined;
    const err: unknown = isLabError(reason) ? reason : e;
    const cancelled = !isLabError(reason) && isLabError(e) && (e as LabError).code === 'cancelled';
    await updateRun(db, runId, cancelled ? { status: 'cancelled' } : { status: 'failed', error: toDiagnostic(err) }).catch(() => {});
    if (cancelled) await dropCheckpoint(db, runId).catch(() => {});
    throw err;
  } finally {
    trainer.dispose();
  }
}

/**
 * What an exported model's card says about the run that trained it (the session's weights), or just its name:
 * the RunConfig, the training languages, and the run's base and trained results.
 */
export async function modelCardOf(db: LabDatabase, session: ModelSession): Promise<NonNullable<ExportOptions['card']>> {
  const label = session.info().label;
  const runId = session.trainedByRun;
  const run = runId ? await getRun(db, runId).catch(() => undefined) : undefined;
  if (!run) return { name: label };
  const sampler = run.config.train?.sampler ?? 'run';
  return {
    name: `${label.replace(/[^A-Za-z0-9._-]+/g, '-')}-${sampler}-seed${run.config.seed}`,
    config: run.config,
    ...(run.trained ? { trained: run.trained } : {}),
    ...(run.base ? { base: run.base } : {}),
    training: run.trained?.[0]?.description.training ?? run.base?.[0]?.description.training,
  };
}
