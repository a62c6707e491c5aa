/**
 * The one in-memory dataset model shared by every format (LAReQA, MIRACL,
 * training pairs), the evaluator, the trainer, the UI and the CLI.
 *
 * Plain data only (no classes, no Maps) so it survives structured clone
 * (workers, IndexedDB) and JSON unchanged.
 */
import type { DiagnosticJSON } from '../errors.ts';

/** ISO 639-1 code, lower case (validated against src/core/dataset/languages.ts). */
export type Lang = string;

export type DatasetFormat = 'lareqa' | 'miracl' | 'pairs';

export interface Query {
  /** Canonical id. LAReQA: `{lang}/{question id}`; MIRACL: the topic's qid. */
  id: string;
  lang: Lang;
  text: string;
  /**
   * Parallel group: the same question in other languages shares it.
   * LAReQA: the question id; MIRACL: the qid (no parallel data); pairs: `group`.
   */
  group: string;
  /** The id in the file, when `id` was namespaced by language (ids that repeat across a MIRACL/BEIR dataset's languages); exports use it. */
  sourceId?: string;
}

export interface Passage {
  /** Canonical id. LAReQA: `{lang}/{article}/{paragraph}/{sentence}` (0-based); MIRACL: docid. */
  id: string;
  lang: Lang;
  text: string;
  title?: string;
  /** LAReQA: the article index (as a string), the unit of train/test splits. */
  group?: string;
  /** The id in the file, when `id` was namespaced by language; exports use it. */
  sourceId?: string;
}

/** TREC-style judgments: qrels[queryId][passageId] = rel (relevant when rel >= 1). */
export type Qrels = Record<string, Record<string, number>>;

/** A training example (the training-pairs JSONL format). */
export interface TrainingPair {
  group: string;
  queryLang: Lang;
  passageLang: Lang;
  query: string;
  positive: string;
  negatives: string[];
}

export interface RelevantPerQuery { min: number; mean: number; max: number }

/** Exactly the JSON `npm run lab -- inspect` prints. */
export interface DatasetStats {
  languages: Lang[];
  queries: Record<Lang, number>;
  candidates: Record<Lang, number>;
  relevantPerQuery: RelevantPerQuery;
  errors: DiagnosticJSON[];
}

export interface Dataset {
  /** Human name, e.g. "xquad-r" (derived from the shard names unless given). */
  name: string;
  format: DatasetFormat;
  /** Sorted. */
  languages: Lang[];
  queries: Query[];
  passages: Passage[];
  qrels: Qrels;
  /** Only for format 'pairs'. */
  pairs: TrainingPair[];
  /** Errors and warnings collected while building (e.g. qrels docids missing from the corpus). */
  diagnostics: DiagnosticJSON[];
  /**
   * MIRACL / BEIR data whose languages are translations of each other under the same query and document ids
   * (a parallel source such as mMARCO): evaluated in the mono, cross-lingual and multilingual settings, and its
   * queries' groups link the translations.
   */
  parallel?: true;
}

/** What one file holds. MIRACL is three kinds of file that together make one 'miracl' dataset. */
export type ShardFormat = 'lareqa' | 'miracl-corpus' | 'miracl-topics' | 'miracl-qrels' | 'pairs';

/** The dataset format a shard format contributes to. */
export const DATASET_FORMAT_OF: Readonly<Record<ShardFormat, DatasetFormat>> = {
  lareqa: 'lareqa',
  'miracl-corpus': 'miracl',
  'miracl-topics': 'miracl',
  'miracl-qrels': 'miracl',
  pairs: 'pairs',
};

interface ShardBase {
  /** File name as the user knows it (no directories). */
  name: string;
  /** Size in bytes as stored (compressed size for .gz). */
  size: number;
  /** Hex SHA-256 of the bytes as stored; the store's content key and the duplicate check. */
  sha256: string;
  gzipped: boolean;
  /** Warnings found while parsing this shard alone. */
  diagnostics: DiagnosticJSON[];
}

export interface LareqaShard extends ShardBase {
  format: 'lareqa';
  lang: Lang;
  queries: Query[];
  passages: Passage[];
  /** Raw question id (the parallel group) → canonical id of its answer sentence in this language. */
  answers: Record<string, string>;
}

export interface MiraclCorpusShard extends ShardBase {
  format: 'miracl-corpus';
  lang: Lang;
  passages: Passage[];
}

export interface MiraclTopicsShard extends ShardBase {
  format: 'miracl-topics';
  lang: Lang;
  queries: Query[];
}

export interface MiraclQrelsShard extends ShardBase {
  format: 'miracl-qrels';
  /** From the file name when it names one; qrels lines carry no language. */
  lang?: Lang;
  qrels: Qrels;
  /** Number of judgment lines. */
  judgments: number;
}

export interface PairsShard extends ShardBase {
  format: 'pairs';
  pairs: TrainingPair[];
}

/** One parsed file, plain data (structured-clonable), ready for buildDataset. */
export type ParsedShard = LareqaShard | MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard | PairsShard;
