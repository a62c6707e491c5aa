/**
 * One optimizer step of contrastive fine-tuning: gradients accumulated over
 * micro-batches (each loss divided by their number, as PyTorch users write
 * `(loss / k).backward()`), clipped by global norm, then AdamW at the
 * step's learning rate. Gradients come from the checkpointed backward
 * (src/core/encoder/grads.ts), so one micro-batch's activations are the peak.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { lossAndGradients } from '../encoder/grads.ts';
import type { Encoder, TokenBatch } from '../encoder/model.ts';
import { infoNCE, type InfoNceOptions } from './losses/info-nce.ts';
import { clipByGlobalNorm, type AdamW } from './optimizer.ts';

/** One micro-batch: rows [0, numQueries) are queries, the next numQueries their positives, the rest hard negatives. */
export interface MicroBatch {
  tokens: TokenBatch;
  numQueries: number;
}

export interface StepOptions {
  lr: number;
  /**
   * Gradient cache: encode each micro-batch in token batches of at most this many texts, keep only their
   * embeddings, compute the loss over the whole micro-batch, then back-propagate one token batch at a time
   * (grads.ts `recompute`). The same gradients as one big batch, at a fraction of the memory.
   */
  cacheChunk?: number;
  /** Clip the global gradient norm to this (PyTorch's clip_grad_norm_); none when undefined. */
  maxGradNorm?: number;
  loss?: InfoNceOptions;
}

export interface StepResult {
  /** Sum over micro-batches of loss / micro-batches: the mean loss of the step. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/** Rows [i, i + size) of a padded token batch, as token batches (each keeps the batch's padded length). */
function splitRows(b: TokenBatch, size: number): TokenBatch[] {
  if (!Number.isInteger(size) || size < 1) throw new LabError('invalid-argument', `gradient-cache chunk ${size}`, { path: 'train.cacheChunk' }, 'a positive integer');
  const out: TokenBatch[] = [];
  for (let r = 0; r < b.batch; r += size) {
    const rows = Math.min(size, b.batch - r);
    out.push({
      ids: b.ids.slice(r * b.seq, (r + rows) * b.seq), mask: b.mask.slice(r * b.seq, (r + rows) * b.seq), batch: rows, seq: b.seq,
      ...(b.typeIds ? { typeIds: b.typeIds.slice(r * b.seq, (r + rows) * b.seq) } : {}),
    });
  }
  return out;
}

export async function trainStep(enc: Encoder, micro: readonly MicroBatch[], opt: AdamW, opts: StepOptions): Promise<StepResult> {
  if (micro.length === 0) throw new LabError('invalid-argument', 'a training step needs at least one micro-batch');
  const k = micro.length;
  const grads: tf.NamedTensorMap = {};
  let loss = 0;
  try {
    for (const mb of micro) {
      const n = mb.numQueries;
      const chunks = opts.cacheChunk ? splitRows(mb.tokens, opts.cacheChunk) : [mb.tokens];
      const r = await lossAndGradients(enc, chunks, (es) => tf.tidy(() => {
        const e = es.length === 1 ? es[0]! : (tf.concat(es, 0) as tf.Tensor2D);
        const q = tf.slice(e, [0, 0], [n, -1]) as tf.Tensor2D;
        const p = tf.slice(e, [n, 0], [n, -1]) as tf.Tensor2D;
        const rest = e.shape[0] - 2 * n;
        const neg = rest > 0 ? (tf.slice(e, [2 * n, 0], [rest, -1]) as tf.Tensor2D) : undefined;
        return tf.div(infoNCE(q, p, neg, opts.loss), k) as tf.Scalar;
      }), undefined, { recompute: opts.cacheChunk !== undefined });
      loss += r.loss;
      for (const [name, g] of Object.entries(r.grads)) {
        const prev = grads[name];
        if (prev) {
          grads[name] = tf.add(prev, g);
          prev.dispose();
          g.dispose();
        } else grads[name] = g;
      }
    }
    if (!Number.isFinite(loss)) throw new LabError('invalid-argument', `the loss is ${loss}: training stopped before the update, the weights are unchanged`, {}, 'a finite loss (lower the learning rate?)');
    const gradNorm = opts.maxGradNorm !== undefined ? await clipByGlobalNorm(grads, opts.maxGradNorm) : NaN;
    if (opts.maxGradNorm !== undefined && !Number.isFinite(gradNorm)) {
      throw new LabError('invalid-argument', `the gradient norm is ${gradNorm}: training stopped before the update, the weights are unchanged`);
    }
    opt.apply(enc.trainableVariables(), grads, opts.lr);
    return { loss, gradNorm };
  } finally {
    tf.dispose(Object.values(grads));
  }
}
