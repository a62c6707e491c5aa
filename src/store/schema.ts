/**
 * The records the dataset side of the lab keeps in IndexedDB (database
 * `polyglot-lab`). Plain data + Blobs only, so they structured-clone into
 * IndexedDB, across the worker boundary and into fake-indexeddb in tests.
 */
import type { DBSchema } from 'idb';
import type { Dataset, DatasetFormat, DatasetStats, Lang } from '../core/dataset/types.ts';
import type { EvalResults } from '../core/eval/results.ts';

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

/** The parsed Dataset, cached apart from its record so listing never loads the texts. */
export interface ParsedRecord {
  datasetId: string;
  dataset: Dataset;
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

export interface LabDB extends DBSchema {
  shards: { key: string; value: ShardRecord };
  datasets: { key: string; value: DatasetRecord; indexes: { byShard: string; byCreated: number } };
  parsed: { key: string; value: ParsedRecord };
  results: { key: [string, string]; value: ResultsRecord; indexes: { byDataset: string } };
}
