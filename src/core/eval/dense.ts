/**
 * Dense evaluation of a text model on a dataset: embed every query and
 * candidate (batched, sorted by length, through an optional embedding
 * cache), then score them with the CPU or tfjs scorer and evaluate every
 * setting of the dataset's protocol. One function for the CLI (`lab eval`),
 * the model worker and the tests, so the page and the command line cannot
 * compute different numbers.
 */
import type { Dataset } from '../dataset/types.ts';
import { ProgressMeter, throwIfCancelled, type JobControl } from '../job.ts';
import type { Setting, Tokenization } from '../run-config.ts';
import { cachePartName, datasetTexts, type TextPart } from '../tokenize/dataset-tokens.ts';
import { embedTexts, type TextModel } from '../tokenize/text-model.ts';
import type { EmbeddingCache } from './embedding-cache.ts';
import { evaluateDataset, type RunSink } from './evaluate.ts';
import { protocolOf } from './protocols.ts';
import type { EvalResults } from './results.ts';
import { denseModel, type DenseBackend } from './scoring-model.ts';
import type { EmbeddingMatrix } from './scorer.ts';

export interface DatasetEmbeddings {
  queries: EmbeddingMatrix;
  passages: EmbeddingMatrix;
  /** Which parts came from the cache. */
  fromCache: { queries: boolean; passages: boolean };
  /** Texts embedded per second (computed parts only; 0 when everything was cached). */
  textsPerSecond: number;
  cacheWarning?: string;
}

export interface EmbedDatasetOptions extends JobControl {
  tokenization: Pick<Tokenization, 'queryPrefix' | 'passagePrefix'>;
  batchSize?: number;
  cache?: { store: EmbeddingCache; modelHash: string; datasetHash: string };
}

function toMatrix(rows: Float32Array[], dim: number): EmbeddingMatrix {
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { rows: rows.length, dim, data };
}

/** Embeds a dataset's queries and passages (title + text), rows aligned with dataset.queries / dataset.passages. */
export async function embedDataset(model: TextModel, dataset: Dataset, opts: EmbedDatasetOptions): Promise<DatasetEmbeddings> {
  const parts: { part: TextPart; texts: string[]; prefix: string }[] = [
    { part: 'queries', texts: datasetTexts(dataset, 'queries'), prefix: opts.tokenization.queryPrefix },
    { part: 'passages', texts: datasetTexts(dataset, 'passages'), prefix: opts.tokenization.passagePrefix },
  ];
  const dim = model.encoder.dim;
  const out: Partial<Record<TextPart, EmbeddingMatrix>> = {};
  const fromCache = { queries: false, passages: false };
  const keys = parts.map((p) => opts.cache && {
    modelHash: opts.cache.modelHash, datasetHash: opts.cache.datasetHash, maxLength: model.maxLength,
    prefix: p.prefix, pooling: model.encoder.pooling, part: cachePartName(p.part),
  });
  // Cached parts first, so the progress total counts only texts that will really be embedded.
  for (const [i, p] of parts.entries()) {
    const hit = keys[i] ? await opts.cache!.store.get(keys[i], p.texts.length) : undefined;
    if (hit && hit.dim === dim) {
      out[p.part] = hit;
      fromCache[p.part] = true;
    }
  }
  const todo = parts.filter((p) => !out[p.part]);
  const total = todo.reduce((s, p) => s + p.texts.length, 0);
  const meter = new ProgressMeter('embed', total, 'texts', opts.onProgress);
  meter.update(0);
  const started = performance.now();
  let before = 0;
  let cacheWarning: string | undefined;
  for (const p of todo) {
    throwIfCancelled(opts.signal, 'evaluation');
    const vecs = await embedTexts(model, p.texts, {
      prefix: p.prefix, batchSize: opts.batchSize ?? 32, ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (done) => meter.update(before + done),
    });
    before += p.texts.length;
    const m = toMatrix(vecs, dim);
    out[p.part] = m;
    const key = keys[parts.indexOf(p)];
    if (key) cacheWarning = (await opts.cache!.store.put(key, m)) ?? cacheWarning;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    queries: out.queries!, passages: out.passages!, fromCache,
    textsPerSecond: total > 0 && seconds > 0 ? total / seconds : 0,
    ...(cacheWarning ? { cacheWarning } : {}),
  };
}

export interface DenseEvalOptions extends EmbedDatasetOptions {
  /** Model name in the results (hub id, folder name). */
  name: string;
  scorer: DenseBackend;
  settings?: readonly Setting[];
  run?: RunSink;
  date?: Date;
}

/** Embeds and evaluates; the results say which scorer ran and how fast the texts were embedded. */
export async function evaluateTextModel(model: TextModel, dataset: Dataset, opts: DenseEvalOptions): Promise<{ results: EvalResults; embeddings: DatasetEmbeddings }> {
  const protocol = protocolOf(dataset);
  const embeddings = await embedDataset(model, dataset, opts);
  const scoring = denseModel(opts.name, embeddings.queries, embeddings.passages, { similarity: 'cosine', backend: opts.scorer });
  const results = await evaluateDataset(dataset, scoring, {
    settings: opts.settings?.filter((s) => protocol.settings.includes(s)) ?? protocol.settings,
    ...(opts.run ? { run: opts.run } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.date ? { date: opts.date } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  Object.assign(results.description.params, {
    maxLength: model.maxLength, pooling: model.encoder.pooling, dim: model.encoder.dim,
    queryPrefix: opts.tokenization.queryPrefix, passagePrefix: opts.tokenization.passagePrefix,
  });
  return { results, embeddings };
}
