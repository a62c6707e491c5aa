/**
 * One entry point for every file: detect the format (unless given), resolve
 * the language, stream-parse, and return a plain-data ParsedShard. Throws
 * only LabError (property-tested), so a worker can post the error as is.
 */
import { LabError, isLabError } from '../errors.ts';
import { readAllText, type ProgressCallback } from '../io/byte-stream.ts';
import { readLines } from '../io/line-reader.ts';
import { detectShardSourceFormat, languageFromFileName, resolveLanguage } from './detect.ts';
import { parseLareqaText } from './parse-lareqa.ts';
import { parseCorpusLines, parseQrelsLines, parseTopicsLines } from './parse-miracl.ts';
import { parsePairsLines } from './parse-pairs.ts';
import { isParquetName, parseParquetShard, type ParquetColumns } from './parse-parquet.ts';
import { baseName, type ShardSource } from './shard-source.ts';
import type { ParsedShard, ShardFormat } from './types.ts';

export interface ParseShardOptions {
  /** Language override (ISO 639-1); otherwise taken from the file name. */
  lang?: string;
  /** Skip detection (e.g. the user picked the format). */
  format?: ShardFormat;
  /** Parquet: which column plays which role, over the names the lab recognises. */
  columns?: ParquetColumns | undefined;
  /** (bytesRead, totalBytes) of the file as stored; called at least once at the end. */
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export async function parseShard(src: ShardSource, opts: ParseShardOptions = {}): Promise<ParsedShard> {
  const name = baseName(src.name);
  const label = src.label ?? name;
  try {
    return await parse(src, name, opts);
  } catch (e) {
    if (isLabError(e)) throw label !== name && (e as LabError).location.file === name ? (e as LabError).withFile(label) : e;
    // Anything else is a bug (the property test asserts it never happens); still give the caller the typed error with the file.
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new LabError('internal', `unexpected failure while parsing (${detail})`, { file: name });
  }
}

async function parse(src: ShardSource, name: string, opts: ParseShardOptions): Promise<ParsedShard> {
  if (opts.signal?.aborted) throw new LabError('cancelled', 'import cancelled', { file: name });
  if (src.size === 0) throw new LabError('empty-file', 'file is empty', { file: name }, 'at least one record');
  if (isParquetName(name)) {
    return parseParquetShard(src, (fromColumn) => {
      if (opts.lang) return resolveLanguage(name, opts.lang, src.path);
      return optionalLanguage(name, src.path) ?? (fromColumn ? resolveLanguage(name, fromColumn) : undefined);
    }, { lang: opts.lang, signal: opts.signal, onProgress: opts.onProgress, ...(opts.columns ? { columns: opts.columns } : {}) });
  }
  const detected = await detectShardSourceFormat(src, opts.signal);
  const format = opts.format ?? detected.format;
  const gzipped = detected.gzipped;
  const meta = { name: src.label ?? name, size: src.size, gzipped };
  const io = { onProgress: opts.onProgress, signal: opts.signal };

  switch (format) {
    case 'lareqa': {
      const lang = resolveLanguage(name, opts.lang, src.path);
      const { text, sha256 } = await readAllText(src, gzipped, io);
      return parseLareqaText(text, lang, { ...meta, sha256 });
    }
    case 'miracl-corpus': {
      const lang = resolveLanguage(name, opts.lang, src.path);
      const ls = readLines(src, gzipped, io);
      const passages = await parseCorpusLines(ls.lines, name, lang);
      return { format, ...meta, sha256: ls.sha256(), lang, passages, diagnostics: [] };
    }
    case 'miracl-topics': {
      const lang = resolveLanguage(name, opts.lang, src.path);
      const ls = readLines(src, gzipped, io);
      const queries = await parseTopicsLines(ls.lines, name, lang);
      return { format, ...meta, sha256: ls.sha256(), lang, queries, diagnostics: [] };
    }
    case 'miracl-qrels': {
      const lang = opts.lang ? resolveLanguage(name, opts.lang, src.path) : optionalLanguage(name, src.path);
      const ls = readLines(src, gzipped, io);
      const { qrels, judgments, diagnostics } = await parseQrelsLines(ls.lines, name);
      return { format, ...meta, sha256: ls.sha256(), ...(lang ? { lang } : {}), qrels, judgments, diagnostics };
    }
    case 'pairs': {
      const ls = readLines(src, gzipped, io);
      const pairs = await parsePairsLines(ls.lines, name);
      return { format, ...meta, sha256: ls.sha256(), pairs, diagnostics: [] };
    }
  }
}

/** Qrels carry no language of their own: a name (or folder) without one (qrels.txt) is fine. */
function optionalLanguage(name: string, path: string | undefined): string | undefined {
  try {
    return languageFromFileName(name, path);
  } catch {
    return undefined;
  }
}
