/**
 * What crosses the workers' boundaries: plain, structured-cloneable data.
 * The page imports these types from here (never the other way round), and
 * every job answers with the one Outcome and reports the one Progress.
 */
import type { BackendPreference, Setting, Tokenization } from '../src/core/run-config.ts';
import type { EvalResults } from '../src/core/eval/results.ts';
import type { Progress } from '../src/core/job.ts';
import type { HistoryEntry } from '../src/core/train/trainer.ts';
import type { TrainRunRecord } from '../src/store/schema.ts';

export type { Outcome, Progress } from '../src/core/job.ts';
export type { TrainStartRequest } from '../src/store/stored-training.ts';
import type { ExperimentEvent, StoredExperimentOutcome } from '../src/store/stored-experiment.ts';
export type { ExperimentEvent, StoredExperimentOutcome };
export type { TrainRunRecord } from '../src/store/schema.ts';
export type { ModelInfo } from '../src/core/model/session.ts';

export interface HubLoadRequest {
  id: string;
  revision: string;
  host: string;
  token?: string;
  /** Override the device budget (bytes). */
  maxBytes?: number;
  backend?: BackendPreference;
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

/** Evaluate the loaded model on one stored dataset. */
export interface DenseEvalRequest {
  datasetId: string;
  tokenization: Tokenization;
  batchSize?: number;
  settings?: Setting[];
}

export interface DenseEvalResult {
  results: EvalResults;
  /** Key of the stored results (the store's `model` field). */
  modelKey: string;
  fromCache: { queries: boolean; passages: boolean };
  textsPerSecond: number;
  cacheWarning?: string;
}

/** What a training job reports while it runs, in order: the run (once created), then progress and steps. */
export type TrainEvent =
  | { kind: 'run'; run: TrainRunRecord }
  /** An experiment's planned run starts, resumes or is skipped (finished before). */
  | { kind: 'experiment'; event: ExperimentEvent }
  | { kind: 'progress'; progress: Progress }
  /** Every optimizer step, validation merged; memory is tf.memory() after the step (flat in a healthy run). */
  | { kind: 'step'; entry: HistoryEntry; memory: { numTensors: number; numBytes: number } };

/** An experiment file to run in the page, with the tokenizer.json a generated start model is built from. */
export interface ExperimentRequest {
  experiment: unknown;
  /** The file's name, for errors. */
  file: string;
  tokenizerJson?: Uint8Array;
}
