/**
 * Scorers: the one interface the evaluator pulls scores through, so dense
 * embeddings (CPU loops or tfjs), and BM25 all feed the same ranking code.
 *
 * A scorer hands out *row blocks*: the scores of queries [qStart, qEnd)
 * against every candidate of its pool. The evaluator asks for as many rows
 * at a time as fit its budget (`rowsPerBlock`), so no caller ever holds the
 * whole query x candidate matrix (13,090 x 13,014 for XQuAD-R, or a 100k
 * MIRACL pool).
 */
import { LabError } from '../errors.ts';

/** Row-major matrix of `rows` embeddings of `dim` floats. */
export interface EmbeddingMatrix {
  rows: number;
  dim: number;
  data: Float32Array;
}

/** cosine = dot on L2-normalized vectors; 'dot' uses the vectors as given. */
export type Similarity = 'cosine' | 'dot';

export interface RowScorer {
  /** What computed the scores, for results and benchmarks (e.g. 'cpu', 'tfjs-wasm', 'bm25'). */
  readonly name: string;
  readonly numQueries: number;
  readonly numCandidates: number;
  /**
   * Scores of queries [qStart, qEnd) against all candidates, row-major
   * ((qEnd - qStart) x numCandidates). The array may be reused by the next call.
   */
  scoreRows(qStart: number, qEnd: number): Promise<Float32Array | Float64Array>;
  dispose(): void;
}

/** Default memory budget for one row block: 4M scores (16-32 MB). */
export const DEFAULT_BLOCK_SCORES = 4 * 1024 * 1024;

export function rowsPerBlock(numCandidates: number, budget = DEFAULT_BLOCK_SCORES, maxRows = 256): number {
  return Math.max(1, Math.min(maxRows, Math.floor(budget / Math.max(1, numCandidates))));
}

export function checkMatrix(m: EmbeddingMatrix, what: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.dim) || m.rows < 0 || m.dim <= 0 || m.data.length !== m.rows * m.dim) {
    throw new LabError('invalid-argument', `${what}: embedding matrix of ${m.rows} x ${m.dim} needs ${m.rows * m.dim} floats, got ${m.data.length}`);
  }
}

export function checkPair(q: EmbeddingMatrix, c: EmbeddingMatrix): void {
  checkMatrix(q, 'queries');
  checkMatrix(c, 'candidates');
  if (q.dim !== c.dim) {
    throw new LabError('invalid-argument', `query embeddings have ${q.dim} dimensions but candidate embeddings ${c.dim}`, {}, 'the same dimension');
  }
}

/** Float64 inverse L2 norms (0 for a zero vector, whose cosine is then 0, as sentence-transformers' normalize with eps). */
export function inverseNorms(m: EmbeddingMatrix): Float64Array {
  const out = new Float64Array(m.rows);
  const { data, dim } = m;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    const o = r * dim;
    for (let d = 0; d < dim; d++) {
      const v = data[o + d]!;
      s += v * v;
    }
    out[r] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return out;
}

/** Subset of rows (e.g. one language's candidates) as a new matrix. */
export function selectRows(m: EmbeddingMatrix, rows: ArrayLike<number>): EmbeddingMatrix {
  const out = new Float32Array(rows.length * m.dim);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), i * m.dim);
  }
  return { rows: rows.length, dim: m.dim, data: out };
}
