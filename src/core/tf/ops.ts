/**
 * Differentiable ops whose gradients work (and are fast) on every backend.
 *
 * - wasm lacks UnsortedSegmentSum, so `tf.gather` has no gradient there; its
 *   transposed matmul is ~10x slower than a plain one (../shared/docs/PLATFORM.md).
 *   `matMulFast` and `embedRows` give gradients built only from plain matmuls,
 *   explicit transposes and ScatterNd where the stock gradient is missing or slow.
 *   (A one-hot matmul would also work but costs batch·seq × vocab memory.)
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
  return {
    explicitTransposeGrad: backend === 'wasm',
    // cpu has UnsortedSegmentSum, but as one pass over the data per vocabulary row
    // (hours for a 119k-row table); only webgpu's kernel is a real scatter.
    scatterEmbeddingGrad: backend !== 'webgpu',
  };
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
  return scatterGradGather(table, ids) as tf.Tensor2D;
}

// ids travel as a saved input: a closure-captured tensor would be disposed by the
// forward pass's tidy before the backward pass runs.
const scatterGradGather = tf.customGrad(((t: tf.Tensor, ids: tf.Tensor, save: tf.GradSaveFunc) => {
  save([ids]);
  const shape = t.shape;
  return {
    value: tf.gather(t, ids),
    // ScatterNd sums rows of duplicate ids, which is exactly the gradient of a gather.
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const s = saved[0]!;
      return [tf.scatterND(tf.expandDims(s, 1), dy, shape), tf.zerosLike(s)];
    },
  };
}) as unknown as (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) as (t: tf.Tensor, ids: tf.Tensor) => tf.Tensor;

type CustomFn = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/**
 * Exact GELU, x·Φ(x), as one recorded op that saves only x for backward
 * (d/dx = Φ(x) + x·φ(x)). Built from stock ops it would keep ~5 FFN-sized
 * tensors per layer alive for the backward pass — the difference between a
 * 12-layer training step fitting in wasm's 4 GB heap or aborting.
 */
export const geluErf = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const s = saved[0]!;
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(s, Math.SQRT1_2))));
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(tf.square(s), -0.5)));
      return [tf.mul(dy, tf.add(cdf, tf.mul(s, pdf)))];
    },
  };
}) as unknown as CustomFn) as (x: tf.Tensor) => tf.Tensor;

/**
 * LayerNorm over the last axis of a 2-D input, y = (x − μ)/√(σ² + eps)·g + b, as one
 * recorded op saving x, g (backward recomputes μ and σ): the stock-op version keeps
 * about six activation-sized tensors per norm alive.
 */
export function layerNorm2d(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  return layerNormFor(eps)(x, g, b) as tf.Tensor2D;
}

const layerNormCache = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();
function layerNormFor(eps: number): (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  let f = layerNormCache.get(eps);
  if (!f) {
    const normalize = (x: tf.Tensor): { xhat: tf.Tensor; rstd: tf.Tensor } => {
      const mean = tf.mean(x, -1, true);
      const xc = tf.sub(x, mean);
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
      return { xhat: tf.mul(xc, rstd), rstd };
    };
    f = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, g]);
      return {
        value: tf.tidy(() => tf.add(tf.mul(normalize(x).xhat, g), b)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sg] = saved as [tf.Tensor, tf.Tensor];
          const { xhat, rstd } = normalize(sx);
          const dxhat = tf.mul(dy, sg);
          const dx = tf.mul(rstd, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))));
          return [dx, tf.sum(tf.mul(dy, xhat), 0), tf.sum(dy, 0)];
        },
      };
    }) as unknown as CustomFn) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    layerNormCache.set(eps, f);
  }
  return f;
}
