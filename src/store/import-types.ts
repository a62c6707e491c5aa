/**
 * The import protocol shared by the store's importer, the parse worker and the
 * UI. Everything here is structured-clonable (it crosses the worker boundary).
 */
import type { DiagnosticJSON } from '../core/errors.ts';
import type { Lang } from '../core/dataset/types.ts';
import type { ParquetColumns, ParquetKind } from '../core/dataset/parse-parquet.ts';
import type { DatasetRecord } from './schema.ts';

/** What a quick look at a file (its name and first bytes) says, before importing. */
export interface ProbedFile {
  name: string;
  size: number;
  /** Detected shard format, null when unrecognised (then `error` says why). */
  format: string | null;
  /** Language from the file name (or content), null when the format has none or it could not be told. */
  lang: Lang | null;
  /** Whether this format needs a language per file (LAReQA, MIRACL corpus/topics/qrels). */
  needsLang: boolean;
  /** Parquet: the table found and which column plays which role (`id ← _id, text ← text`), shown before import. */
  columns?: string;
  /**
   * Parquet with a readable footer: every column, the roles in force (from the names, or as chosen), and the
   * table they make (null when they make none: `error` says what is missing). The page lets the user change them.
   */
  parquet?: { available: string[]; columns: ParquetColumns; kind: ParquetKind | null };
  error?: DiagnosticJSON;
}

export interface ImportOptions {
  /** Dataset name; derived from the shard names when absent. */
  name?: string;
  /** Per file (same order as the files): a language the user chose, overriding the detected one. */
  languages?: (Lang | null)[];
  /**
   * Per file: the path inside a dropped folder (`miracl-corpus-v1.0-sw/docs-0.jsonl.gz`). A browser File
   * only knows its base name; the folder can name the language and is what the shard list shows.
   */
  paths?: (string | null)[];
  /** Per file: the https URL it was fetched from (kept with the shard, so RunConfigs and share links can name it). */
  urls?: (string | null)[];
  /** Per file: a Parquet file's column roles as the user chose them (kept with the shard). */
  columns?: (ParquetColumns | null)[];
}

export type ImportPhase = 'reading' | 'parsing' | 'building' | 'saving';

export interface ImportProgress {
  phase: ImportPhase;
  /** The file being read, when the phase is per file. */
  file?: string;
  bytesDone: number;
  bytesTotal: number;
}

export type ImportOutcome =
  | { ok: true; record: DatasetRecord; warnings: DiagnosticJSON[] }
  | { ok: false; errors: DiagnosticJSON[] };
