/**
 * Model worker: hosts the page's one ModelSession (src/core/model/session.ts)
 * — load from a hub or a dropped folder, embed, trim, export, evaluate — off
 * the page's thread. Evaluation runs here because tfjs variables cannot cross
 * workers. All logic lives in src/core and src/store; this file only wires
 * the session to the browser's backend, caches and IndexedDB.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { outcomeOf } from '../src/core/job.ts';
import type { BackendPreference } from '../src/core/run-config.ts';
import { initBackend, type ActiveBackend } from '../src/core/tf/backend.ts';
import { loadModelFromHub } from '../src/core/hub/download.ts';
import type { DownloadProgress } from '../src/core/hub/download.ts';
import { modelFolder } from '../src/core/hub/folder.ts';
import { modelByteBudget } from '../src/core/hub/budget.ts';
import { hubRef } from '../src/core/hub/url.ts';
import { ModelSession, type ModelInfo } from '../src/core/model/session.ts';
import type { TokenizerSource } from '../src/core/tokenize/tokenizer.ts';
import type { TrimReport } from '../src/core/tokenize/trim-model.ts';
import { IdbModelCache } from '../src/store/model-cache.ts';
import { IdbEmbeddingCache } from '../src/store/embedding-cache.ts';
import { denseRunBlob, evaluateStoredDataset } from '../src/store/dense-eval.ts';
import type { Setting } from '../src/core/run-config.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import { createStoredRun, modelCardOf, runStoredTraining, type StoredTrainingOptions, type TrainStartRequest } from '../src/store/stored-training.ts';
import { runStoredExperiment, type StoredExperimentOutcome } from '../src/store/stored-experiment.ts';
import { startModelLoader } from '../src/store/experiment-model.ts';
import { cancelRun } from '../src/store/train-runs.ts';
import type { TrainRunRecord } from '../src/store/schema.ts';
import { storageEstimate } from '../src/store/storage-info.ts';
import { LabError } from '../src/core/errors.ts';
import { JobHost } from './job-host.ts';
import { mapStoredDataset, searchStoredDense, type SearchRequest } from '../src/store/search.ts';
import type { EmbeddingMap, ProjectionMethod } from '../src/core/eval/projection.ts';
import type { SearchResult } from '../src/core/eval/search.ts';
import type { Tokenization } from '../src/core/run-config.ts';
import type { DenseEvalRequest, DenseEvalResult, EmbedResult, ExperimentRequest, HubLoadRequest, ModelExport, ModelExportRequest, Outcome, Progress, TrainEvent } from './protocol.ts';

// Vite copies the .wasm files and gives their URLs (PLATFORM.md). The page is
// not cross-origin isolated, so tfjs picks a non-threaded binary.
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

let backend: Promise<ActiveBackend> | undefined;
let active: ActiveBackend | undefined;
const session = new ModelSession(() => active ?? { backend: 'cpu', reason: 'no backend yet' });
/** A second model the explorer ranks with beside the loaded one (e.g. the base model a run was trained from). */
const reference = new ModelSession(() => active ?? { backend: 'cpu', reason: 'no backend yet' });
const modelCache = new IdbModelCache();
const embeddings = new IdbEmbeddingCache();
let labDb: Promise<LabDatabase> | undefined;
/** Loading (a download) and evaluating each run one at a time; either can be cancelled. */
const loads = new JobHost('a model load');
const evals = new JobHost('an evaluation');
/** One training run at a time; while it runs the model's weights change, so nothing else may use the model. */
const trains = new JobHost('a training run');
let pauseRequested = false;

function idleModel(): void {
  if (trains.busy) throw new LabError('invalid-argument', 'a training run is using the model', {}, 'pause or cancel the run first');
}

function db(): Promise<LabDatabase> {
  labDb ??= openLabDb().catch((e: unknown) => { labDb = undefined; throw e; });
  return labDb;
}

/** A lost GPU device ends the running training with its own error (the run keeps its last checkpoint). */
function watchDevice(a: ActiveBackend): void {
  if (a.backend !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } }).device;
  void device?.lost?.then((info) => {
    trains.cancel(new LabError('device-lost', `the GPU device was lost (${info.message || info.reason || 'no reason given'})`, {}, 'reload the page, load the model and resume the run from its last checkpoint'));
  });
}

function trainingJob(run: (ctl: { signal: AbortSignal }, emit: (e: TrainEvent) => void) => Promise<TrainRunRecord>, onEvent: (e: TrainEvent) => void): Promise<Outcome<TrainRunRecord>> {
  pauseRequested = false;
  return trains.run((ctl) => run(ctl, (e) => void onEvent(e)));
}

async function ensureBackend(pref: BackendPreference): Promise<ActiveBackend> {
  backend ??= initBackend(pref, { wasmPaths: WASM_PATHS }).then((b) => { watchDevice(b); return (active = b); }).catch((e: unknown) => {
    backend = undefined;
    throw e;
  });
  return backend;
}

async function deviceBudget(a: ActiveBackend): Promise<number> {
  const nav = (globalThis as { navigator?: { deviceMemory?: number; gpu?: { requestAdapter(): Promise<{ limits: { maxBufferSize: number } } | null> } } }).navigator;
  let maxBufferSize: number | undefined;
  if (a.backend === 'webgpu') maxBufferSize = (await nav?.gpu?.requestAdapter().catch(() => null))?.limits.maxBufferSize;
  return modelByteBudget({ backend: a.backend, deviceMemoryGB: nav?.deviceMemory, maxBufferSize });
}

const api = {
  loadFromHub(req: HubLoadRequest, onProgress: (p: DownloadProgress) => void): Promise<Outcome<ModelInfo>> {
    loads.cancel(); // a new load replaces one still downloading
    return loads.run(async ({ signal }) => {
      idleModel();
      const a = await ensureBackend(req.backend ?? 'auto');
      const ref = hubRef(req.id, req.revision, req.host);
      const files = await loadModelFromHub(ref, {
        cache: modelCache, maxBytes: req.maxBytes ?? (await deviceBudget(a)), signal, ...(req.token ? { token: req.token } : {}),
        onProgress: (p) => void onProgress(p),
      });
      return session.load(files.provider, {
        label: `${ref.id}@${ref.revision}`, source: { source: 'hub', id: ref.id, revision: ref.revision, host: ref.host },
        host: ref.host, fromCache: files.fromCache, totalBytes: files.totalBytes, seconds: files.seconds,
        ...(files.cacheWarning ? { cacheWarning: files.cacheWarning } : {}),
      });
    });
  },

  loadFromFolder(entries: { path: string; blob: Blob }[], pref: BackendPreference = 'auto'): Promise<Outcome<ModelInfo>> {
    return outcomeOf(async () => {
      idleModel();
      await ensureBackend(pref);
      const started = performance.now();
      const folder = modelFolder(entries);
      const info = await session.load(folder.provider, {
        label: folder.name, source: { source: 'folder', name: folder.name, sha256: '0'.repeat(64) },
        fromCache: false, totalBytes: folder.totalBytes, seconds: 0,
      });
      return { ...info, seconds: (performance.now() - started) / 1000 };
    });
  },

  embed(texts: string[], prefix = ''): Promise<Outcome<EmbedResult>> {
    return outcomeOf(async () => {
      const started = performance.now();
      const vectors = await session.embed(texts, prefix);
      return { dim: session.textModel().encoder.dim, vectors, seconds: (performance.now() - started) / 1000 };
    });
  },

  /** tokenizer.json (+ tokenizer_config.json) of the loaded model, for the tokenize worker. */
  tokenizerSource(): Promise<Outcome<TokenizerSource>> {
    return outcomeOf(() => session.tokenizerSource());
  },

  /** Keeps only these token ids (tokenizer ids, e.g. a dataset's distinct ids) plus the specials in the embedding table. */
  trimVocab(usedIds: Int32Array): Promise<Outcome<TrimReport & { info: ModelInfo }>> {
    return outcomeOf(async () => {
      idleModel();
      return { ...(await session.trim(usedIds)), info: session.info() };
    });
  },

  /** The current model (trimmed / fine-tuned weights included) as a zipped Hugging Face folder; the zip's buffer is transferred. */
  async exportModel(req: ModelExportRequest = {}): Promise<Outcome<ModelExport>> {
    const r = await outcomeOf(async () => {
      idleModel();
      const started = performance.now();
      const { out, zip } = await session.export(req.dtype ?? 'F32', await modelCardOf(await db(), session));
      return {
        fileName: zip.fileName, folder: zip.folder, zip: zip.zip, notes: out.notes, seconds: (performance.now() - started) / 1000,
        files: [...out.files].map(([path, bytes]) => ({ path, bytes: bytes.byteLength })),
      };
    });
    return r.ok ? Comlink.transfer(r, [r.value.zip.buffer]) : r;
  },

  /** Embeds (through the embedding cache) and evaluates a stored dataset; results are cached beside it. */
  evaluate(req: DenseEvalRequest, onProgress: (p: Progress) => void): Promise<Outcome<DenseEvalResult>> {
    return evals.run(async (ctl) => {
      idleModel();
      const a = active ?? (await ensureBackend('auto'));
      return evaluateStoredDataset(await db(), embeddings, session, req.datasetId, {
        ...ctl, tokenization: req.tokenization, scorer: `tfjs-${a.backend}`, backend: a.backend,
        ...(req.batchSize ? { batchSize: req.batchSize } : {}), ...(req.settings ? { settings: req.settings } : {}),
      });
    }, onProgress);
  },

  /** One setting's TREC run of the loaded model on a stored dataset (the qrels come from the evaluate worker). */
  exportRun(req: { datasetId: string; setting: Setting; depth?: number; tokenization: Tokenization; modelHash?: string }, onProgress: (p: Progress) => void): Promise<Outcome<Blob>> {
    return evals.run(async (ctl) => {
      idleModel();
      const a = active ?? (await ensureBackend('auto'));
      return denseRunBlob(await db(), embeddings, session, req.datasetId, { ...ctl, ...req, scorer: `tfjs-${a.backend}` });
    }, onProgress);
  },

  cancel(): void {
    loads.cancel();
    evals.cancel();
  },

  /** Creates a training run on stored datasets with the loaded model, then runs it (events: the run, progress, steps). */
  startTraining(req: TrainStartRequest, onEvent: (e: TrainEvent) => void): Promise<Outcome<TrainRunRecord>> {
    return trainingJob(async (ctl, emit) => {
      if (evals.busy) throw new LabError('invalid-argument', 'an evaluation is using the model', {}, 'wait for it or cancel it');
      const a = active ?? (await ensureBackend('auto'));
      const run = await createStoredRun(await db(), session, req, a.backend);
      emit({ kind: 'run', run });
      return trainRun(run.id, a, ctl.signal, emit);
    }, onEvent);
  },

  /** Continues a paused, interrupted or failed run from its last checkpoint (the loaded model must be the run's). */
  resumeTraining(runId: string, onEvent: (e: TrainEvent) => void): Promise<Outcome<TrainRunRecord>> {
    return trainingJob(async (ctl, emit) => {
      if (evals.busy) throw new LabError('invalid-argument', 'an evaluation is using the model', {}, 'wait for it or cancel it');
      return trainRun(runId, active ?? (await ensureBackend('auto')), ctl.signal, emit);
    }, onEvent);
  },

  /** One query against a stored dataset's pool with the loaded model (pool embeddings from the cache an evaluation filled). */
  search(req: SearchRequest, tokenization: Tokenization | undefined, onProgress: (p: Progress) => void, modelHash?: string, which: 'loaded' | 'reference' = 'loaded'): Promise<Outcome<SearchResult & { model: string }>> {
    return outcomeOf(async () => {
      idleModel();
      const s = which === 'reference' ? reference : session;
      // A drill-down into a model's results must rank with that model, not whichever is loaded now.
      if (modelHash && s.loaded && s.contentHash !== modelHash) {
        throw new LabError('invalid-argument', `the loaded model (${s.info().label}) is not the model these results are of`, {}, 'load that model to see its rankings');
      }
      const a = active ?? (await ensureBackend('auto'));
      // The Evaluate form's defaults, so a search after an evaluation finds its cached pool embeddings.
      const info = s.info();
      const tok = tokenization ?? s.defaultTokenization();
      const r = await searchStoredDense(await db(), s, req, { tokenization: tok, scorer: `tfjs-${a.backend}`, cache: embeddings, onProgress: (p) => void onProgress(p) });
      return { ...r, model: info.label };
    });
  },

  /** Loads a second model from a hub (usually its cache) for the explorer to rank with beside the loaded one. */
  loadReference(req: HubLoadRequest): Promise<Outcome<ModelInfo>> {
    return outcomeOf(async () => {
      const a = await ensureBackend(req.backend ?? 'auto');
      const ref = hubRef(req.id, req.revision, req.host);
      const files = await loadModelFromHub(ref, { cache: modelCache, maxBytes: req.maxBytes ?? (await deviceBudget(a)), ...(req.token ? { token: req.token } : {}) });
      return reference.load(files.provider, {
        label: `${ref.id}@${ref.revision}`, source: { source: 'hub', id: ref.id, revision: ref.revision, host: ref.host },
        host: ref.host, fromCache: files.fromCache, totalBytes: files.totalBytes, seconds: files.seconds,
      });
    });
  },

  /** A 2-D map (PCA or UMAP) of a sample of a stored dataset's candidates by the loaded model. */
  embeddingMap(datasetId: string, method: ProjectionMethod, onProgress: (p: Progress) => void): Promise<Outcome<EmbeddingMap & { model: string }>> {
    return outcomeOf(async () => {
      idleModel();
      const a = active ?? (await ensureBackend('auto'));
      const info = session.info();
      const m = await mapStoredDataset(await db(), session, datasetId, method, { tokenization: session.defaultTokenization(), scorer: `tfjs-${a.backend}`, cache: embeddings, onProgress: (p) => void onProgress(p) });
      return { ...m, model: info.label };
    });
  },

  /**
   * Runs an experiment file: each planned (sampler, seed) run from the experiment's start model on the stored
   * datasets, finished runs skipped; ends with the aggregate, or paused.
   */
  runExperiment(req: ExperimentRequest, onEvent: (e: TrainEvent) => void): Promise<Outcome<StoredExperimentOutcome>> {
    pauseRequested = false;
    return trains.run(async (ctl) => {
      if (evals.busy) throw new LabError('invalid-argument', 'an evaluation is using the model', {}, 'wait for it or cancel it');
      const a = active ?? (await ensureBackend('auto'));
      const hub = { cache: modelCache, maxBytes: await deviceBudget(a), signal: ctl.signal };
      return runStoredExperiment(await db(), session, req.experiment, req.file, {
        ...trainingOptions(a, ctl.signal, (e) => void onEvent(e)),
        loadStartModel: startModelLoader(session, { tokenizerJson: req.tokenizerJson, hub }),
        onRunEvent: (event) => void onEvent({ kind: 'experiment', event }),
        onStoredRun: (run) => void onEvent({ kind: 'run', run }),
      });
    });
  },

  /** The loaded model now (an experiment loads its own start models into the session). */
  modelInfo(): ModelInfo | null {
    return session.loaded ? session.info() : null;
  },

  /** Asks the running training to stop after its current step, with a checkpoint. */
  pauseTraining(): void {
    pauseRequested = true;
  },

  /** Cancels the running training, or (none running here) a stored run that is paused or was interrupted. */
  cancelTraining(runId: string): Promise<Outcome<TrainRunRecord | null>> {
    return outcomeOf(async () => {
      if (trains.busy) {
        trains.cancel();
        return null;
      }
      return cancelRun(await db(), runId);
    });
  },
};

function trainingOptions(a: ActiveBackend, signal: AbortSignal, emit: (e: TrainEvent) => void): StoredTrainingOptions {
  return {
    scorer: `tfjs-${a.backend}`, backend: a.backend, signal, cache: embeddings,
    pauseRequested: () => pauseRequested,
    estimate: storageEstimate,
    onProgress: (progress) => emit({ kind: 'progress', progress }),
    onStep: (entry) => {
      const m = tf.memory();
      emit({ kind: 'step', entry, memory: { numTensors: m.numTensors, numBytes: m.numBytes } });
    },
  };
}

function trainRun(runId: string, a: ActiveBackend, signal: AbortSignal, emit: (e: TrainEvent) => void): Promise<TrainRunRecord> {
  return db().then((d) => runStoredTraining(d, session, runId, trainingOptions(a, signal, emit)));
}

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
