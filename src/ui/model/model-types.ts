/** What crosses the model worker's boundary (plain, structured-cloneable data). */
import type { DiagnosticJSON } from '../../core/errors.ts';
import type { Backend, BackendPreference, Pooling } from '../../core/run-config.ts';

export type WorkerResult<T> = { ok: true; value: T } | { ok: false; error: DiagnosticJSON };

export interface HubLoadRequest {
  id: string;
  revision: string;
  host: string;
  token?: string;
  /** Override the device budget (bytes). */
  maxBytes?: number;
  backend?: BackendPreference;
}

export interface ModelInfo {
  /** `org/name@revision`, or the dropped folder's name. */
  label: string;
  source: 'hub' | 'folder';
  host?: string;
  /** Every file came from the browser's model cache (no network). */
  fromCache: boolean;
  totalBytes: number;
  seconds: number;
  cacheWarning?: string;
  modelType: string;
  dim: number;
  pooling: Pooling;
  normalize: boolean;
  maxLength: number;
  layers: number;
  hidden: number;
  vocabSize: number;
  backend: Backend;
  backendReason: string;
  notes: string[];
  prompts: Record<string, string>;
}

export interface EmbedResult {
  dim: number;
  vectors: Float32Array[];
  seconds: number;
}

export interface ModelExportRequest {
  /** Storage dtype of model.safetensors: F32 (exact, default) or F16 (half the size). */
  dtype?: 'F32' | 'F16';
}

/** The current model as a zipped Hugging Face / sentence-transformers folder. */
export interface ModelExport {
  /** `<model name>-polyglot-lab.zip`. */
  fileName: string;
  /** The folder the zip holds, `<model name>-polyglot-lab/`. */
  folder: string;
  zip: Uint8Array;
  /** Files in the folder and their (uncompressed) sizes. */
  files: { path: string; bytes: number }[];
  /** What the export could not include, e.g. a tokenizer file that cannot be rewritten for a trimmed vocabulary. */
  notes: string[];
  seconds: number;
}
