/**
 * The reference scorer: plain loops, float64 accumulation over the float32
 * embeddings. It is what golden tests hold to 1e-9 and what benchmarks use
 * as the baseline.
 */
import { checkPair, inverseNorms, type EmbeddingMatrix, type RowScorer, type Similarity } from './scorer.ts';

export function createCpuScorer(queries: EmbeddingMatrix, candidates: EmbeddingMatrix, similarity: Similarity = 'cosine'): RowScorer {
  checkPair(queries, candidates);
  const { dim } = queries;
  const N = candidates.rows;
  const qInv = similarity === 'cosine' ? inverseNorms(queries) : null;
  const cInv = similarity === 'cosine' ? inverseNorms(candidates) : null;
  const Q = queries.data;
  const C = candidates.data;
  let buf = new Float64Array(0);

  return {
    name: 'cpu',
    numQueries: queries.rows,
    numCandidates: N,
    async scoreRows(qStart: number, qEnd: number): Promise<Float64Array> {
      const rows = qEnd - qStart;
      if (buf.length < rows * N) buf = new Float64Array(rows * N);
      const out = buf.subarray(0, rows * N);
      // Candidate-major so each candidate row is read once per block while the
      // block's query rows stay in cache; four queries share each load.
      for (let c = 0; c < N; c++) {
        const co = c * dim;
        const cs = cInv ? cInv[c]! : 1;
        let q = qStart;
        for (; q + 4 <= qEnd; q += 4) {
          const o0 = q * dim;
          const o1 = o0 + dim;
          const o2 = o1 + dim;
          const o3 = o2 + dim;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let d = 0; d < dim; d++) {
            const v = C[co + d]!;
            s0 += Q[o0 + d]! * v;
            s1 += Q[o1 + d]! * v;
            s2 += Q[o2 + d]! * v;
            s3 += Q[o3 + d]! * v;
          }
          const r = q - qStart;
          out[r * N + c] = qInv ? s0 * qInv[q]! * cs : s0;
          out[(r + 1) * N + c] = qInv ? s1 * qInv[q + 1]! * cs : s1;
          out[(r + 2) * N + c] = qInv ? s2 * qInv[q + 2]! * cs : s2;
          out[(r + 3) * N + c] = qInv ? s3 * qInv[q + 3]! * cs : s3;
        }
        for (; q < qEnd; q++) {
          const o = q * dim;
          let s = 0;
          for (let d = 0; d < dim; d++) s += Q[o + d]! * C[co + d]!;
          out[(q - qStart) * N + c] = qInv ? s * qInv[q]! * cs : s;
        }
      }
      return out;
    },
    dispose() {
      buf = new Float64Array(0);
    },
  };
}
