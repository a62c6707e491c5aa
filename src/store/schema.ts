/**
 * The records the dataset side of the lab keeps in IndexedDB (database
 * `polyglot-lab`). Plain data + Blobs only, so they structured-clone into
 * IndexedDB, across the worker boundary and into fake-indexeddb in tests.
 */
import type { DBSchema } from 'idb';
import type { ParquetColumns } from '../core/dataset/parse-parquet.ts';
import type { Dataset, DatasetFormat, DatasetStats, Lang } from '../core/dataset/types.ts';
import type { EvalResults } from '../core/eval/results.ts';
import type { DiagnosticJSON } from '../core/errors.ts';
import type { RunConfig } from '../core/run-config.ts';
import type { HistoryEntry, TrainerCheckpoint } from '../core/train/trainer.ts';
import type { EmbeddingMap } from '../core/eval/projection.ts';
import type { MiningReport, MiningSettings } from '../core/train/mine.ts';

/** What the user sees of one shard (no bytes): kept on the shard and, per dataset, on the dataset. */
export interface ShardMeta {
  /** Hex SHA-256 of the file's bytes: the shard's identity. Same name as RunConfig's DatasetRef. */
  sha256: string;
  /** File name as dropped (folder-relative path when a folder was dropped). */
  name: string;
  /** The detected shard format, e.g. `lareqa`, `miracl-corpus`, `pairs` (core/dataset's names). */
  format: string;
  /** Language of the shard when it has one (LAReQA, MIRACL corpus/topics); null for multi-language files. */
  lang: Lang | null;
  size: number;
  /** Milliseconds since the epoch when the shard was first stored. */
  addedAt: number;
  /** The https URL the shard was fetched from, when it came from one. */
  url?: string;
  /** Parquet: the column roles the user chose at import (the names alone did not say, or said otherwise). */
  columns?: ParquetColumns;
}

/** A stored shard: its metadata plus the original bytes (so the dataset can be rebuilt or exported). */
export interface ShardRecord extends ShardMeta {
  bytes: Blob;
}

/** Per-language row of the dataset table. */
export interface LanguageSummary {
  lang: Lang;
  queries: number;
  candidates: number;
  /** Mean number of relevant candidates per query of this language (0 when it has no queries). */
  relevantPerQuery: number;
}

/** A named set of shards plus everything needed to list it without re-parsing. */
export interface DatasetRecord {
  /** Hex SHA-256 over the sorted shard hashes: the same shard set is the same dataset. */
  id: string;
  name: string;
  format: DatasetFormat;
  /** The shards as imported into this dataset (names and languages as the user set them). */
  shards: ShardMeta[];
  /** Only the hashes, indexed (multiEntry) so removal can tell which shards other datasets still use. */
  shardHashes: string[];
  stats: DatasetStats;
  perLanguage: LanguageSummary[];
  createdAt: number;
}

/**
 * The parsed Dataset, cached apart from its record so listing never loads the texts. A large one is a head
 * (`dataset` without its passages, queries and pairs, `parts` = how many follow) and part records keyed
 * `${datasetId}\u0000${n}` (store/parsed-cache.ts): no value outgrows the browser's limit on one record.
 */
export interface ParsedRecord {
  datasetId: string;
  dataset?: Dataset;
  parts?: number;
  part?: ParsedPart;
}

export interface ParsedPart {
  field: 'passages' | 'queries' | 'pairs';
  items: unknown[];
}

/**
 * A dataset's evaluation results for one model, cached so a reload shows the
 * heatmap without re-running anything (since DB version 2). Key: [datasetId, model].
 */
export interface ResultsRecord {
  datasetId: string;
  /** 'bm25' for the baseline; later a trained model's id. */
  model: string;
  results: EvalResults;
  /** Milliseconds since the epoch when the results were stored. */
  savedAt: number;
}

export type TrainRunStatus =
  /** Started and not stopped by the page: if the page is gone, the run was interrupted (reload, crash) and resumes from its checkpoint. */
  | 'running'
  | 'paused'
  /** Stopped by an error (non-finite loss, lost GPU, full storage); its last good checkpoint is kept, so it can resume. */
  | 'failed'
  | 'cancelled'
  | 'done';

/**
 * A training run in the page (since DB version 3). Its RunConfig names the stored datasets by shards, as
 * the command line's does; `trainDatasetIds` / `evalDatasetIds` are the same datasets' store ids, in the
 * order of `config.train.data` / `config.datasets`. History and step are those of the last checkpoint:
 * they are written with it, in one transaction.
 */
export interface TrainRunRecord {
  id: string;
  config: RunConfig;
  trainDatasetIds: string[];
  evalDatasetIds: string[];
  /** The model trained: its label and the content hash of its weights before training. */
  model: { label: string; contentHash: string };
  status: TrainRunStatus;
  step: number;
  history: HistoryEntry[];
  error?: DiagnosticJSON;
  stoppedEarly?: { step: number; bestLoss: number };
  /** Results objects of the evaluation datasets, before and after training (each carries the RunConfig). */
  base?: EvalResults[];
  trained?: EvalResults[];
  /** 2-D maps (PCA, UMAP) of a sample of the first evaluation dataset's candidates, by the base and the trained model. */
  maps?: { base: EmbeddingMap[]; trained?: EmbeddingMap[] };
  createdAt: number;
  updatedAt: number;
}

/** A run's latest checkpoint (weights, optimizer moments, sampler state); key: runId. */
/**
 * A run's latest checkpoint. Its tensors are Blobs (Float32Arrays in records written before): a real model's
 * weights and Adam moments are far over the ~133 MB Chromium takes as one IndexedDB value otherwise.
 */
export interface CheckpointRecord extends Omit<TrainerCheckpoint, 'history' | 'weights' | 'moments'> {
  runId: string;
  weights: Record<string, StoredTensor>;
  moments: Record<string, { m: StoredTensor; v: StoredTensor }>;
}

export type StoredTensor = Blob | Float32Array;

export interface LabDB extends DBSchema {
  shards: { key: string; value: ShardRecord };
  datasets: { key: string; value: DatasetRecord; indexes: { byShard: string; byCreated: number } };
  parsed: { key: string; value: ParsedRecord };
  results: { key: [string, string]; value: ResultsRecord; indexes: { byDataset: string } };
  runs: { key: string; value: TrainRunRecord; indexes: { byCreated: number } };
  checkpoints: { key: string; value: CheckpointRecord };
  mined: { key: string; value: MinedRecord };
}

/** Hard negatives mined for a stored dataset (core/train/mine.ts): the settings and every pair's negatives with their ranks. */
export interface MinedRecord {
  datasetId: string;
  settings: MiningSettings & { method: 'bm25' };
  report: MiningReport;
  createdAt: number;
}
