/**
 * What the evaluator scores with: a factory of RowScorers over any subset of
 * a dataset's queries and passages. Dense models slice their embedding
 * matrices; BM25 builds an index over the candidates.
 */
import type { Dataset } from '../dataset/types.ts';
import { createCpuScorer } from './scorer-cpu.ts';
import { createTfjsScorer, type TfjsBackendName } from './scorer-tfjs.ts';
import { selectRows, checkMatrix, type EmbeddingMatrix, type RowScorer, type Similarity } from './scorer.ts';
import { LabError } from '../errors.ts';

export interface ScorerRequest {
  dataset: Dataset;
  /** Indices into dataset.queries, in row order. */
  queries: Int32Array;
  /** Indices into dataset.passages, in column order. */
  candidates: Int32Array;
  /**
   * 'pool': score against the pool as one collection; 'per-language': each
   * candidate scored as if its language's candidates were the collection (a
   * per-language index). Only matters when `poolIndependent` is false.
   */
  statistics: 'pool' | 'per-language';
}

export interface ScoringModel {
  /** Model id or 'bm25'. */
  readonly name: string;
  /** Scores don't depend on which other candidates are in the pool (dense models): one pass serves every setting. */
  readonly poolIndependent: boolean;
  readonly params: Record<string, string | number | boolean>;
  scorer(req: ScorerRequest): Promise<RowScorer>;
}

export type DenseBackend = 'cpu' | `tfjs-${TfjsBackendName}`;

/**
 * A dense model from precomputed embeddings, rows aligned with
 * dataset.queries and dataset.passages.
 */
export function denseModel(
  name: string,
  queryEmbeddings: EmbeddingMatrix,
  passageEmbeddings: EmbeddingMatrix,
  opts: { similarity?: Similarity; backend?: DenseBackend } = {},
): ScoringModel {
  checkMatrix(queryEmbeddings, 'query embeddings');
  checkMatrix(passageEmbeddings, 'passage embeddings');
  const similarity = opts.similarity ?? 'cosine';
  const backend = opts.backend ?? 'cpu';
  return {
    name,
    poolIndependent: true,
    params: { similarity, backend },
    async scorer(req) {
      if (queryEmbeddings.rows !== req.dataset.queries.length || passageEmbeddings.rows !== req.dataset.passages.length) {
        throw new LabError(
          'invalid-argument',
          `embeddings have ${queryEmbeddings.rows} query / ${passageEmbeddings.rows} passage rows; dataset ${req.dataset.name} has ${req.dataset.queries.length} / ${req.dataset.passages.length}`,
        );
      }
      const q = isIdentity(req.queries, queryEmbeddings.rows) ? queryEmbeddings : selectRows(queryEmbeddings, req.queries);
      const c = isIdentity(req.candidates, passageEmbeddings.rows) ? passageEmbeddings : selectRows(passageEmbeddings, req.candidates);
      if (backend === 'cpu') return createCpuScorer(q, c, similarity);
      return createTfjsScorer(q, c, { similarity, backend: backend.slice('tfjs-'.length) as TfjsBackendName });
    },
  };
}

function isIdentity(idx: Int32Array, n: number): boolean {
  if (idx.length !== n) return false;
  for (let i = 0; i < n; i++) if (idx[i] !== i) return false;
  return true;
}
