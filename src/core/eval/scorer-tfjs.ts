/**
 * The tfjs scorer: float32 matmuls on whatever tfjs backend is active
 * ('webgpu' or 'wasm' in the browser; 'wasm' or 'cpu' under Node, where the
 * wasm backend loads its .wasm files from node_modules by itself — in the
 * browser the app must call `setWasmPaths` first).
 *
 * Candidates are normalized and transposed once ([dim x chunk] tensors)
 * because tfjs-wasm's matmul with a transposed operand is ~10x slower than a
 * plain one (PLATFORM.md). Scores are float32, so they match the CPU scorer
 * to ~1e-6, and exactly whenever the float32 products are exact (integer
 * embeddings with 'dot').
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { checkPair, type EmbeddingMatrix, type RowScorer, type Similarity } from './scorer.ts';

export type TfjsBackendName = 'wasm' | 'cpu' | 'webgpu';

/** Candidates per resident tensor: bounds one matmul's output and stays under WebGPU's buffer limit. */
const CANDIDATE_CHUNK = 16384;

/** Switches tfjs to `backend` (registering wasm/webgpu on demand), or throws LabError('backend'). */
export async function useTfjsBackend(backend: TfjsBackendName): Promise<void> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    throw new LabError('backend', `tfjs backend "${backend}" failed to initialize: ${(e as Error).message}`);
  }
  if (!ok || tf.getBackend() !== backend) throw new LabError('backend', `tfjs backend "${backend}" is not available here`);
}

export interface TfjsScorerOptions {
  similarity?: Similarity;
  /** Switch to this backend first; default: keep the active one. */
  backend?: TfjsBackendName;
}

export async function createTfjsScorer(
  queries: EmbeddingMatrix,
  candidates: EmbeddingMatrix,
  opts: TfjsScorerOptions = {},
): Promise<RowScorer> {
  checkPair(queries, candidates);
  if (opts.backend) await useTfjsBackend(opts.backend);
  const similarity = opts.similarity ?? 'cosine';
  const { dim } = queries;
  const N = candidates.rows;
  const backend = tf.getBackend();

  const prep = (x: tf.Tensor2D): tf.Tensor2D => (similarity === 'cosine' ? normalizeRows(x) : x);
  const chunks: { start: number; size: number; t: tf.Tensor2D }[] = [];
  for (let start = 0; start < N; start += CANDIDATE_CHUNK) {
    const size = Math.min(CANDIDATE_CHUNK, N - start);
    const t = tf.tidy(() => {
      const c = tf.tensor2d(candidates.data.subarray(start * dim, (start + size) * dim), [size, dim]);
      return prep(c).transpose() as tf.Tensor2D;
    });
    chunks.push({ start, size, t });
  }
  let buf = new Float32Array(0);

  return {
    name: `tfjs-${backend}`,
    numQueries: queries.rows,
    numCandidates: N,
    async scoreRows(qStart: number, qEnd: number): Promise<Float32Array> {
      const rows = qEnd - qStart;
      if (buf.length < rows * N) buf = new Float32Array(rows * N);
      const out = buf.subarray(0, rows * N);
      if (rows === 0) return out;
      const q = tf.tidy(() => prep(tf.tensor2d(queries.data.subarray(qStart * dim, qEnd * dim), [rows, dim])));
      try {
        for (const ch of chunks) {
          const s = tf.matMul(q, ch.t);
          const vals = (await s.data()) as Float32Array;
          s.dispose();
          if (chunks.length === 1) out.set(vals);
          else for (let r = 0; r < rows; r++) out.set(vals.subarray(r * ch.size, (r + 1) * ch.size), r * N + ch.start);
        }
      } finally {
        q.dispose();
      }
      return out;
    },
    dispose() {
      for (const ch of chunks) ch.t.dispose();
      chunks.length = 0;
      buf = new Float32Array(0);
    },
  };
}

/** x / max(||x||, 1e-12) per row (zero rows stay zero, as in the CPU scorer). */
function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), tf.scalar(1e-12));
    return tf.div(x, norm) as tf.Tensor2D;
  });
}
