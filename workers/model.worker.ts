/**
 * Model worker: a thin comlink adapter that loads a model (hub or dropped
 * folder) and embeds sentences off the page's thread. All logic lives in
 * src/core (hub download, tokenizer, encoder) and src/store (model cache).
 *
 * Errors cross the worker boundary as DiagnosticJSON (a LabError's code,
 * message and location), since structured clone drops the class.
 */
import * as Comlink from 'comlink';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { isLabError, type DiagnosticJSON } from '../src/core/errors.ts';
import type { BackendPreference } from '../src/core/run-config.ts';
import { initBackend, type ActiveBackend } from '../src/core/tf/backend.ts';
import { loadModelFromHub, type DownloadProgress } from '../src/core/hub/download.ts';
import { modelFolder } from '../src/core/hub/folder.ts';
import { modelByteBudget } from '../src/core/hub/budget.ts';
import { hubRef } from '../src/core/hub/url.ts';
import type { FileProvider } from '../src/core/hub/model-files.ts';
import { embedTexts, loadTextModel, type TextModel } from '../src/core/tokenize/text-model.ts';
import { IdbModelCache } from '../src/store/model-cache.ts';
import type { TokenizerSource } from '../src/core/tokenize/tokenizer.ts';
import { trimTextModel, type TrimReport } from '../src/core/tokenize/trim-model.ts';
import type { EmbedResult, HubLoadRequest, ModelExport, ModelExportRequest, ModelInfo, WorkerResult } from '../src/ui/model/model-types.ts';
import { exportEncoder } from '../src/core/encoder/export.ts';
import { zipExportedFolder } from '../src/core/encoder/export-zip.ts';

// Vite copies the .wasm files and gives their URLs (PLATFORM.md). The page is
// not cross-origin isolated, so tfjs picks a non-threaded binary.
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

let backend: Promise<ActiveBackend> | undefined;
let model: TextModel | undefined;
/** The loaded model's files and name, for export (tokenizer files are copied from them). */
let modelSource: { files: FileProvider; label: string } | undefined;
/** The loaded model's tokenizer files, for the tokenize worker and for trimming (which keeps the specials it declares). */
let tokenizerSrc: TokenizerSource | undefined;
let running: AbortController | undefined;
const cache = new IdbModelCache();

function fail(e: unknown): { ok: false; error: DiagnosticJSON } {
  const error: DiagnosticJSON = isLabError(e)
    ? e.toJSON()
    : { severity: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) };
  return { ok: false, error };
}

async function ensureBackend(pref: BackendPreference): Promise<ActiveBackend> {
  backend ??= initBackend(pref, { wasmPaths: WASM_PATHS }).catch((e: unknown) => {
    backend = undefined;
    throw e;
  });
  return backend;
}

async function deviceBudget(active: ActiveBackend): Promise<number> {
  const nav = (globalThis as { navigator?: { deviceMemory?: number; gpu?: { requestAdapter(): Promise<{ limits: { maxBufferSize: number } } | null> } } }).navigator;
  let maxBufferSize: number | undefined;
  if (active.backend === 'webgpu') maxBufferSize = (await nav?.gpu?.requestAdapter().catch(() => null))?.limits.maxBufferSize;
  return modelByteBudget({ backend: active.backend, deviceMemoryGB: nav?.deviceMemory, maxBufferSize });
}

async function finish(files: FileProvider, active: ActiveBackend, base: Omit<ModelInfo, 'dim' | 'pooling' | 'normalize' | 'maxLength' | 'modelType' | 'layers' | 'hidden' | 'vocabSize' | 'backend' | 'backendReason' | 'notes' | 'prompts'>): Promise<ModelInfo> {
  const next = await loadTextModel(files);
  const tokenizerJson = await files('tokenizer.json');
  const tokenizerConfig = await files('tokenizer_config.json');
  model?.encoder.dispose();
  model = next;
  modelSource = { files, label: base.label };
  tokenizerSrc = tokenizerJson ? { tokenizerJson, ...(tokenizerConfig ? { tokenizerConfig } : {}) } : undefined;
  const c = next.encoder.config;
  return {
    ...base,
    modelType: c.modelType, dim: next.encoder.dim, pooling: next.encoder.pooling, normalize: next.encoder.head.normalize,
    maxLength: next.maxLength, layers: c.layers, hidden: c.hidden, vocabSize: c.vocabSize,
    backend: active.backend, backendReason: active.reason, notes: [...next.encoder.notes], prompts: { ...next.encoder.prompts },
  };
}

const api = {
  async loadFromHub(req: HubLoadRequest, onProgress: (p: DownloadProgress) => void): Promise<WorkerResult<ModelInfo>> {
    const ctl = new AbortController();
    running?.abort();
    running = ctl;
    try {
      const active = await ensureBackend(req.backend ?? 'auto');
      const ref = hubRef(req.id, req.revision, req.host);
      const maxBytes = req.maxBytes ?? (await deviceBudget(active));
      const files = await loadModelFromHub(ref, {
        cache, maxBytes, signal: ctl.signal, ...(req.token ? { token: req.token } : {}),
        onProgress: (p) => void onProgress(p),
      });
      const info = await finish(files.provider, active, {
        label: `${ref.id}@${ref.revision}`, source: 'hub', fromCache: files.fromCache, totalBytes: files.totalBytes,
        seconds: files.seconds, host: ref.host, ...(files.cacheWarning ? { cacheWarning: files.cacheWarning } : {}),
      });
      return { ok: true, value: info };
    } catch (e) {
      return fail(e);
    } finally {
      if (running === ctl) running = undefined;
    }
  },

  async loadFromFolder(entries: { path: string; blob: Blob }[], pref: BackendPreference = 'auto'): Promise<WorkerResult<ModelInfo>> {
    try {
      const active = await ensureBackend(pref);
      const started = performance.now();
      const folder = modelFolder(entries);
      const info = await finish(folder.provider, active, {
        label: folder.name, source: 'folder', fromCache: false, totalBytes: folder.totalBytes, seconds: 0,
      });
      info.seconds = (performance.now() - started) / 1000;
      return { ok: true, value: info };
    } catch (e) {
      return fail(e);
    }
  },

  async embed(texts: string[], prefix = ''): Promise<WorkerResult<EmbedResult>> {
    try {
      if (!model) return { ok: false, error: { severity: 'error', code: 'invalid-argument', message: 'no model is loaded' } };
      const started = performance.now();
      const vectors = await embedTexts(model, texts, { prefix });
      return { ok: true, value: { dim: model.encoder.dim, vectors, seconds: (performance.now() - started) / 1000 } };
    } catch (e) {
      return fail(e);
    }
  },

  /** tokenizer.json (+ tokenizer_config.json) of the loaded model, for the tokenize worker. */
  tokenizerSource(): WorkerResult<TokenizerSource> {
    if (!model || !tokenizerSrc) return { ok: false, error: { severity: 'error', code: 'invalid-argument', message: 'no model is loaded' } };
    return { ok: true, value: tokenizerSrc };
  },

  /** Keeps only these token ids (tokenizer ids, e.g. a dataset's distinct ids) plus the specials in the embedding table. */
  trimVocab(usedIds: Int32Array): WorkerResult<TrimReport> {
    try {
      if (!model || !tokenizerSrc) return { ok: false, error: { severity: 'error', code: 'invalid-argument', message: 'no model is loaded' } };
      return { ok: true, value: trimTextModel(model, usedIds, tokenizerSrc.tokenizerJson) };
    } catch (e) {
      return fail(e);
    }
  },

  /** The current model (trimmed / fine-tuned weights included) as a zipped Hugging Face folder; the zip's buffer is transferred. */
  async exportModel(req: ModelExportRequest = {}): Promise<WorkerResult<ModelExport>> {
    try {
      if (!model || !modelSource) return { ok: false, error: { severity: 'error', code: 'invalid-argument', message: 'no model is loaded' } };
      const started = performance.now();
      const out = await exportEncoder(model.encoder, { source: modelSource.files, dtype: req.dtype ?? 'F32' });
      const z = zipExportedFolder(out, modelSource.label);
      const value: ModelExport = {
        fileName: z.fileName, folder: z.folder, zip: z.zip, notes: out.notes, seconds: (performance.now() - started) / 1000,
        files: [...out.files].map(([path, bytes]) => ({ path, bytes: bytes.byteLength })),
      };
      return Comlink.transfer({ ok: true, value }, [z.zip.buffer]);
    } catch (e) {
      return fail(e);
    }
  },

  cancel(): void {
    running?.abort();
  },
};

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
