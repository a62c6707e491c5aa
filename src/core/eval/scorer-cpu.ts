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
  const dot = (qo: number, co: number): number => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += Q[qo + d]! * C[co + d]!;
    return s;
  };

  return {
    name: 'cpu',
    numQueries: queries.rows,
    numCandidates: N,
    async scoreRows(qStart: number, qEnd: number): Promise<Float64Array> {
      const rows = qEnd - qStart;
      if (buf.length < rows * N) buf = new Float64Array(rows * N);
      const out = buf.subarray(0, rows * N);
      // Register blocking: 4 queries x 2 candidates per inner loop, so every
      // load feeds several products. Each score is still a plain sum over d in
      // order, so blocking never changes a result.
      const score = (q: number, c: number, raw: number): number => (qInv ? raw * qInv[q]! * cInv![c]! : raw);
      let c = 0;
      for (; c + 2 <= N; c += 2) {
        const a = c * dim;
        const b = a + dim;
        let q = qStart;
        for (; q + 4 <= qEnd; q += 4) {
          const o0 = q * dim;
          const o1 = o0 + dim;
          const o2 = o1 + dim;
          const o3 = o2 + dim;
          let s00 = 0;
          let s01 = 0;
          let s10 = 0;
          let s11 = 0;
          let s20 = 0;
          let s21 = 0;
          let s30 = 0;
          let s31 = 0;
          for (let d = 0; d < dim; d++) {
            const x = C[a + d]!;
            const y = C[b + d]!;
            const q0 = Q[o0 + d]!;
            const q1 = Q[o1 + d]!;
            const q2 = Q[o2 + d]!;
            const q3 = Q[o3 + d]!;
            s00 += q0 * x;
            s01 += q0 * y;
            s10 += q1 * x;
            s11 += q1 * y;
            s20 += q2 * x;
            s21 += q2 * y;
            s30 += q3 * x;
            s31 += q3 * y;
          }
          const r = (q - qStart) * N + c;
          out[r] = score(q, c, s00);
          out[r + 1] = score(q, c + 1, s01);
          out[r + N] = score(q + 1, c, s10);
          out[r + N + 1] = score(q + 1, c + 1, s11);
          out[r + 2 * N] = score(q + 2, c, s20);
          out[r + 2 * N + 1] = score(q + 2, c + 1, s21);
          out[r + 3 * N] = score(q + 3, c, s30);
          out[r + 3 * N + 1] = score(q + 3, c + 1, s31);
        }
        for (; q < qEnd; q++) {
          out[(q - qStart) * N + c] = score(q, c, dot(q * dim, a));
          out[(q - qStart) * N + c + 1] = score(q, c + 1, dot(q * dim, b));
        }
      }
      for (; c < N; c++) {
        for (let q = qStart; q < qEnd; q++) out[(q - qStart) * N + c] = score(q, c, dot(q * dim, c * dim));
      }
      return out;
    },
    dispose() {
      buf = new Float64Array(0);
    },
  };
}
