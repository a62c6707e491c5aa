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
}

export interface Passage {
  /** Canonical id. LAReQA: `{lang}/{article}/{paragraph}/{sentence}` (0-based); MIRACL: docid. */
  id: string;
  lang: Lang;
  text: string;
  title?: string;
  /** LAReQA: the article index (as a string), the unit of train/test splits. */
  group?: string;
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
}
