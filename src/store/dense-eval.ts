/**
 * Dense evaluation of a stored dataset with the model session's encoder, as
 * the model worker runs it: the dataset from IndexedDB, embeddings through
 * the embedding cache, every setting evaluated by the core, the results
 * cached beside the dataset under the model's key (so the page shows them
 * after a reload without the model). A cancelled run stores no results.
 */
import type { DenseBackend } from '../core/eval/scoring-model.ts';
import type { JobControl } from '../core/job.ts';
import type { ModelSession } from '../core/model/session.ts';
import { makeRunConfig, type RunConfig, type Setting, type Tokenization } from '../core/run-config.ts';
import type { EvalResults } from '../core/eval/results.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset, storedDatasetRecord } from './datasets.ts';
import type { IdbEmbeddingCache } from './embedding-cache.ts';
import { saveResults } from './results.ts';
import { LabError } from '../core/errors.ts';
import { checkSetting } from '../core/eval/protocols.ts';
import { formatRunLines, runTag } from '../core/eval/trec.ts';
import { BlobBuilder } from './baseline.ts';
import { datasetRefOf } from './dataset-ref.ts';

/** The results store's key for a dense model: its content hash, so a trimmed or fine-tuned model is another entry. */
export function denseModelKey(contentHash: string): string {
  return `dense:${contentHash}`;
}

export function isDenseModelKey(key: string): boolean {
  return key.startsWith('dense:');
}

export interface StoredDenseEvalOptions extends JobControl {
  tokenization: Tokenization;
  batchSize?: number;
  settings?: readonly Setting[];
  scorer: DenseBackend;
  backend: RunConfig['backend'];
}

export async function evaluateStoredDataset(
  db: LabDatabase, cache: IdbEmbeddingCache | undefined, session: ModelSession, datasetId: string, opts: StoredDenseEvalOptions,
): Promise<{ results: EvalResults; modelKey: string; fromCache: { queries: boolean; passages: boolean }; textsPerSecond: number; cacheWarning?: string }> {
  const rec = await db.get('datasets', datasetId);
  if (!rec) throw new LabError('storage', `dataset ${datasetId.slice(0, 12)}… is not in the browser's storage (removed in another tab?)`);
  const dataset = await loadDataset(db, datasetId);
  const config = makeRunConfig({
    version: 1, kind: 'eval', model: session.modelSource(),
    datasets: [datasetRefOf(rec)],
    tokenization: opts.tokenization, backend: opts.backend,
    eval: { settings: [...(opts.settings ?? ['mono', 'cross', 'multi'])], depth: 1000, batchSize: opts.batchSize ?? 32 },
  });
  const r = await session.evaluate(dataset, {
    tokenization: opts.tokenization, scorer: opts.scorer, datasetHash: datasetId, config,
    ...(cache ? { cache } : {}),
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const modelKey = denseModelKey(session.contentHash);
  await saveResults(db, datasetId, modelKey, r.results);
  return {
    results: r.results, modelKey, fromCache: r.embeddings.fromCache, textsPerSecond: r.embeddings.textsPerSecond,
    ...(r.embeddings.cacheWarning ? { cacheWarning: r.embeddings.cacheWarning } : {}),
  };
}

export interface DenseRunExportOptions extends JobControl {
  setting: Setting;
  depth?: number;
  tokenization: Tokenization;
  scorer: DenseBackend;
  /** The content hash of the model the user's results are of: the loaded model must be it. */
  modelHash?: string;
}

/** One setting's TREC run of the loaded model on a stored dataset (embeddings through the cache), `depth` per query. */
export async function denseRunBlob(db: LabDatabase, cache: IdbEmbeddingCache | undefined, session: ModelSession, datasetId: string, o: DenseRunExportOptions): Promise<Blob> {
  if (o.modelHash && session.contentHash !== o.modelHash) {
    throw new LabError('invalid-argument', `the loaded model (${session.info().label}) is not the model these results are of`, {}, 'load that model to export its run');
  }
  await storedDatasetRecord(db, datasetId);
  const dataset = await loadDataset(db, datasetId);
  checkSetting(dataset, o.setting);
  const out = new BlobBuilder();
  const tag = runTag(`dense-${session.contentHash.slice(0, 12)}`, o.setting);
  await session.evaluate(dataset, {
    tokenization: o.tokenization, scorer: o.scorer, settings: [o.setting], datasetHash: datasetId,
    run: { setting: o.setting, depth: o.depth ?? 1000, write: (qid, ids, scores) => out.write(formatRunLines(qid, ids, scores, tag)) },
    ...(cache ? { cache } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  return out.blob();
}
