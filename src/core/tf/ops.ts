/**
 * Differentiable ops whose gradients work (and are fast) on every backend.
 *
 * - wasm lacks UnsortedSegmentSum, so `tf.gather` has no gradient there; its
 *   transposed matmul is ~10x slower than a plain one (../shared/docs/PLATFORM.md).
 *   `matMulFast` and `embedRows` give wasm gradients built only from plain matmuls,
 *   explicit transposes and ScatterNd; on cpu/webgpu they fall back to the stock ops.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelChoice {
  /** matmul whose backward uses explicit transposes (no transposeA/transposeB kernels). */
  explicitTransposeGrad: boolean;
  /** embedding lookup whose backward is a ScatterNd instead of gather's UnsortedSegmentSum. */
  scatterEmbeddingGrad: boolean;
}

/** What the active backend needs; decided once per forward pass. */
export function kernelsFor(backend: string = tf.getBackend()): KernelChoice {
  const wasm = backend === 'wasm';
  return { explicitTransposeGrad: wasm, scatterEmbeddingGrad: wasm };
}

function swapLast(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

const explicitMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
}) as unknown as (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a @ b for same-rank operands (2-D, or batched with equal batch dims); no broadcasting. */
export function matMulFast<T extends tf.Tensor>(a: T, b: tf.Tensor, k: KernelChoice): T {
  return (k.explicitTransposeGrad ? explicitMatMul(a, b) : tf.matMul(a, b)) as T;
}

/** table[ids] with a gradient w.r.t. table that works on the active backend. ids: int32 [n] → [n, dim]. */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D, k: KernelChoice): tf.Tensor2D {
  if (!k.scatterEmbeddingGrad) return tf.gather(table, ids);
  const f = tf.customGrad(((t: tf.Tensor) => ({
    value: tf.gather(t as tf.Tensor2D, ids),
    // ScatterNd sums rows of duplicate ids, which is exactly the gradient of a gather.
    gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.expandDims(ids, 1), dy, t.shape),
  })) as unknown as (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] });
  return f(table) as tf.Tensor2D;
}
