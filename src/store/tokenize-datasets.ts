/**
 * Tokenizes stored datasets (every query and every passage) through the token
 * cache, keyed per dataset content hash × tokenizer hash × max length × prefix
 * × part, and reports what the model panel shows: texts, tokens, truncated
 * texts, distinct ids, and whether everything came from IndexedDB.
 *
 * Runs in the tokenize worker (workers/tokenize.worker.ts) and in Node tests.
 */
import { LabError } from '../core/errors.ts';
import type { LabTokenizer } from '../core/tokenize/tokenizer.ts';
import {
  cachePartName, datasetTexts, mergeTokenStats, tokenStats, TEXT_PARTS, type TextPart, type TokenStats,
} from '../core/tokenize/dataset-tokens.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset } from './datasets.ts';
import { tokenizeCached, type IdbTokenCache } from './token-cache.ts';

export interface DatasetTokenizeOptions {
  /** Tokens per text, specials included. */
  maxLength: number;
  /** Prepended to queries, e.g. `query: ` (the model's prompts). */
  queryPrefix: string;
  /** Prepended to passages, e.g. `passage: `. */
  passagePrefix: string;
}

export interface PartTokens {
  part: TextPart;
  prefix: string;
  stats: TokenStats;
  fromCache: boolean;
  cacheWarning?: string;
}

export interface DatasetTokens {
  datasetId: string;
  name: string;
  parts: PartTokens[];
  /** Queries + passages. */
  stats: TokenStats;
  fromCache: boolean;
}

export interface TokenizeSummary {
  datasets: DatasetTokens[];
  /** Every selected dataset together (distinct ids: the union). */
  total: TokenStats;
  /** Every part of every dataset came from the cache. */
  fromCache: boolean;
  maxLength: number;
  tokenizerHash: string;
}

export interface TokenizeProgress {
  /** Texts done over all selected datasets and parts. */
  done: number;
  total: number;
  dataset: string;
  part: TextPart;
}

export async function tokenizeStoredDatasets(
  db: LabDatabase, cache: IdbTokenCache, tokenizer: LabTokenizer, datasetIds: readonly string[],
  opts: DatasetTokenizeOptions, onProgress?: (p: TokenizeProgress) => void,
): Promise<TokenizeSummary> {
  if (datasetIds.length === 0) throw new LabError('invalid-argument', 'no dataset is selected', {}, 'at least one stored dataset');
  const records = await Promise.all(datasetIds.map(async (id) => {
    const rec = await db.get('datasets', id);
    if (!rec) throw new LabError('storage', `dataset ${id.slice(0, 12)}… is not in the browser's storage (removed in another tab?)`);
    return { id, name: rec.name, dataset: await loadDataset(db, id) };
  }));
  const jobs = records.flatMap((r) => TEXT_PARTS.map((part) => ({ r, part, texts: datasetTexts(r.dataset, part) })));
  const total = jobs.reduce((s, j) => s + j.texts.length, 0);
  let before = 0;
  const out: DatasetTokens[] = [];
  for (const r of records) {
    const parts: PartTokens[] = [];
    for (const j of jobs.filter((x) => x.r === r)) {
      const prefix = j.part === 'queries' ? opts.queryPrefix : opts.passagePrefix;
      const report = (done: number): void => onProgress?.({ done: before + done, total, dataset: r.name, part: j.part });
      report(0);
      const res = await tokenizeCached(cache, tokenizer, j.texts,
        { datasetHash: r.id, maxLength: opts.maxLength, prefix, part: cachePartName(j.part) }, report);
      before += j.texts.length;
      report(0);
      parts.push({
        part: j.part, prefix, stats: tokenStats(res.tokens), fromCache: res.fromCache,
        ...(res.cacheWarning ? { cacheWarning: res.cacheWarning } : {}),
      });
    }
    out.push({
      datasetId: r.id, name: r.name, parts, stats: mergeTokenStats(parts.map((p) => p.stats)),
      fromCache: parts.every((p) => p.fromCache),
    });
  }
  return {
    datasets: out, total: mergeTokenStats(out.map((d) => d.stats)), fromCache: out.every((d) => d.fromCache),
    maxLength: opts.maxLength, tokenizerHash: tokenizer.hash,
  };
}
