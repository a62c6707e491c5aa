/**
 * One query against a stored dataset's pool, as the workers run it for the
 * explorer and the drill-down: with BM25 (evaluate worker) or with the
 * loaded model (model worker), whose pool embeddings come from the embedding
 * cache an evaluation filled (or are computed once and cached). The query
 * is one of the dataset's, or free text in a named language.
 */
import type { Dataset, Lang } from '../core/dataset/types.ts';
import { bm25Model } from '../core/bm25/search.ts';
import { embedDataset } from '../core/eval/dense.ts';
import { embeddingMap, type EmbeddingMap, type ProjectionMethod } from '../core/eval/projection.ts';
import { denseModel, type DenseBackend } from '../core/eval/scoring-model.ts';
import { searchPool, singleQueryDataset, type SearchOptions, type SearchResult } from '../core/eval/search.ts';
import type { JobControl } from '../core/job.ts';
import type { ModelSession } from '../core/model/session.ts';
import type { Tokenization } from '../core/run-config.ts';
import { embedTexts } from '../core/tokenize/text-model.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset, storedDatasetRecord } from './datasets.ts';
import type { IdbEmbeddingCache } from './embedding-cache.ts';

export type SearchQuery = { id: string } | { text: string; lang: Lang };

export interface SearchRequest extends SearchOptions {
  datasetId: string;
  query: SearchQuery;
}

/** The last dataset searched stays parsed: a user types several queries against one dataset. */
let last: { id: string; dataset: Dataset } | undefined;

async function dataset(db: LabDatabase, id: string): Promise<Dataset> {
  // Checked every time (one small read): a dataset removed since the last search is not searched from memory.
  await storedDatasetRecord(db, id);
  if (last?.id === id) return last.dataset;
  last = { id, dataset: await loadDataset(db, id) };
  return last.dataset;
}

export async function searchStoredBm25(db: LabDatabase, req: SearchRequest): Promise<SearchResult> {
  const one = singleQueryDataset(await dataset(db, req.datasetId), req.query);
  return searchPool(one.dataset, bm25Model(), req);
}

export interface DenseSearchOptions extends JobControl {
  tokenization: Tokenization;
  scorer: DenseBackend;
  cache?: IdbEmbeddingCache;
}

export async function searchStoredDense(db: LabDatabase, session: ModelSession, req: SearchRequest, o: DenseSearchOptions): Promise<SearchResult> {
  const full = await dataset(db, req.datasetId);
  const one = singleQueryDataset(full, req.query);
  const model = { ...session.textModel(), maxLength: o.tokenization.maxLength };
  // The pool's embeddings: the same cache entry the evaluation wrote (dataset id, model hash, prefix, max length).
  const emb = await embedDataset(model, { ...full, queries: [] }, {
    tokenization: o.tokenization, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.cache ? { cache: { store: o.cache, modelHash: session.contentHash, datasetHash: req.datasetId } } : {}),
  });
  const [q] = await embedTexts(model, [one.query.text], { prefix: o.tokenization.queryPrefix });
  const dim = model.encoder.dim;
  const scoring = denseModel(session.info().label, { rows: 1, dim, data: q! }, emb.passages, { backend: o.scorer });
  return searchPool(one.dataset, scoring, req);
}

/** The texts of some of a stored dataset's queries (the drill-down lists its worst queries by text). */
export async function queryTexts(db: LabDatabase, datasetId: string, ids: readonly string[]): Promise<{ id: string; lang: Lang; text: string }[]> {
  const d = await dataset(db, datasetId);
  const want = new Set(ids);
  const byId = new Map(d.queries.filter((q) => want.has(q.id)).map((q) => [q.id, { id: q.id, lang: q.lang, text: q.text }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A 2-D map of a sample of a stored dataset's candidates, by the loaded model (pool embeddings through the cache). */
export async function mapStoredDataset(db: LabDatabase, session: ModelSession, datasetId: string, method: ProjectionMethod, o: DenseSearchOptions & { perLang?: number; seed?: number }): Promise<EmbeddingMap> {
  const full = await dataset(db, datasetId);
  const model = { ...session.textModel(), maxLength: o.tokenization.maxLength };
  const emb = await embedDataset(model, { ...full, queries: [] }, {
    tokenization: o.tokenization, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.cache ? { cache: { store: o.cache, modelHash: session.contentHash, datasetHash: datasetId } } : {}),
  });
  return embeddingMap(emb.passages, full.passages.map((p) => ({ id: p.id, lang: p.lang, text: p.text })), { method, perLang: o.perLang ?? 100, seed: o.seed ?? 42 });
}
