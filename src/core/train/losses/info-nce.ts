/**
 * InfoNCE over a batch of (query, positive[, hard negatives]) embeddings
 * (METHOD.md "Loss"), on cosine similarity divided by a temperature:
 *
 *   L = mean_i −log( e^{s(q_i, p_i)/t} / Σ_{d ∈ D_i} e^{s(q_i, d)/t} )
 *
 * - `in-batch` (default; sentence-transformers' MultipleNegativesRankingLoss, t = 0.05 ↔
 *   scale 20): D_i = every positive of the batch plus every hard negative.
 * - `paper`: D_i = p_i plus the hard negatives of all triplets only (the paper's formula,
 *   which needs hard negatives).
 * - `symmetric`: the in-batch loss averaged with its passage→query counterpart.
 *
 * The mean over queries (not the paper's sum) keeps the scale of the gradient
 * independent of the batch size, as sentence-transformers does.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../errors.ts';

export type InfoNceVariant = 'in-batch' | 'paper' | 'symmetric';

export interface InfoNceOptions {
  temperature?: number;
  variant?: InfoNceVariant;
}

const normalize = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;

/** q, p: [n, d]; negatives: [m, d] (m may be 0). Runs under a tape (differentiable). */
export function infoNCE(q: tf.Tensor2D, p: tf.Tensor2D, negatives: tf.Tensor2D | undefined, opts: InfoNceOptions = {}): tf.Scalar {
  const t = opts.temperature ?? 0.05;
  if (!(t > 0 && Number.isFinite(t))) throw new LabError('invalid-argument', `temperature ${t}`, { path: 'train.temperature' }, 'a positive number (0.05 = scale 20)');
  const variant = opts.variant ?? 'in-batch';
  const n = q.shape[0];
  if (n === 0 || p.shape[0] !== n) throw new LabError('invalid-argument', `${n} queries but ${p.shape[0]} positives`, {}, 'one positive per query');
  const hasNeg = negatives !== undefined && negatives.shape[0] > 0;
  if (variant === 'paper' && !hasNeg) {
    throw new LabError('invalid-argument', "the paper's InfoNCE variant has only the hard negatives in its denominator, and this batch has none", { path: 'train.loss' }, 'hard negatives, or the in-batch variant');
  }
  const labels = (k: number) => tf.oneHot(tf.range(0, n, 1, 'int32'), k);
  const qn = normalize(q);
  const pn = normalize(p);
  if (variant === 'paper') {
    const pos = tf.sum(tf.mul(qn, pn), 1, true); // [n, 1]
    const neg = tf.matMul(qn, normalize(negatives!), false, true); // [n, m]
    const logits = tf.div(tf.concat([pos, neg], 1), t);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.zeros([n], 'int32'), 1 + negatives!.shape[0]), logits) as tf.Scalar;
  }
  const candidates = hasNeg ? tf.concat([pn, normalize(negatives!)], 0) : pn;
  const logits = tf.div(tf.matMul(qn, candidates, false, true), t);
  const forward = tf.losses.softmaxCrossEntropy(labels(candidates.shape[0]), logits) as tf.Scalar;
  if (variant !== 'symmetric') return forward;
  const backward = tf.losses.softmaxCrossEntropy(labels(n), tf.div(tf.matMul(pn, qn, false, true), t)) as tf.Scalar;
  return tf.div(tf.add(forward, backward), 2) as tf.Scalar;
}
