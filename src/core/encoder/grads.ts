/**
 * Loss value and gradients for fine-tuning, with per-layer recomputation
 * ("gradient checkpointing").
 *
 * Why: tfjs's tape keeps the gradient of every intermediate tensor until the whole
 * backward pass ends, so memory for one training step is several times the forward
 * activations: a MiniLM-L12 step at batch 32 × seq 128 needs > 4 GB and aborts the
 * wasm backend (4 GB heap), and browser GPUs have less. Here the forward pass runs
 * without a tape, keeping only each layer's input ([batch·seq, hidden] per layer);
 * the backward pass then walks the layers top-down, re-running one layer under a
 * tape at a time. Peak memory ≈ one layer's activations + gradients; cost ≈ one
 * extra forward pass. Frozen bottom layers (and frozen embeddings) are not
 * back-propagated through at all.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { kernelsFor, type KernelChoice } from '../tf/ops.ts';
import type { Encoder, TokenBatch } from './model.ts';

export interface LossAndGradients {
  loss: number;
  /** Variable name → gradient; apply with `optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))`; the caller disposes them. */
  grads: tf.NamedTensorMap;
}

/**
 * lossFn receives the pooled embeddings of each batch (in order) and returns a scalar;
 * it runs under a tape, so it may use any differentiable op.
 */
export interface GradientOptions {
  /**
   * Gradient cache (Gao et al., 2021): keep only each batch's pooled embeddings from the forward pass and
   * re-run a batch's layers just before back-propagating through it. Peak memory is then one batch's layer
   * inputs instead of every batch's, so a large contrastive batch (the paper's 100) can be split into small
   * token batches whose loss is still computed over all of them; the cost is one more forward pass.
   */
  recompute?: boolean;
}

export async function lossAndGradients(
  enc: Encoder,
  batches: TokenBatch[],
  lossFn: (embeddings: tf.Tensor2D[]) => tf.Scalar,
  k: KernelChoice = kernelsFor(),
  opts: GradientOptions = {},
): Promise<LossAndGradients> {
  if (batches.length === 0) throw new LabError('invalid-argument', 'lossAndGradients needs at least one token batch');
  const L = enc.config.layers;
  const { freezeEmbeddings, freezeBottomLayers } = enc.freezeState;
  // Back-propagate down to the embeddings only when they train; else to the lowest trained layer.
  const lowest = freezeEmbeddings ? freezeBottomLayers : 0;
  const grads: tf.NamedTensorMap = {};
  const accumulate = (vars: tf.Variable[], gs: tf.Tensor[]): void => {
    vars.forEach((v, i) => {
      const g = gs[i]!;
      const prev = grads[v.name];
      if (prev) {
        grads[v.name] = tf.keep(tf.add(prev, g));
        prev.dispose();
        g.dispose();
      } else grads[v.name] = tf.keep(g);
    });
  };

  for (const b of batches) enc.checkBatch(b);

  // 1. Forward without a tape, keeping every layer's input and the pooled embeddings
  //    (with `recompute`, only the embeddings: the layer inputs are rebuilt per batch in step 3).
  const forward = (b: TokenBatch, mask: tf.Tensor, keepAll: boolean): tf.Tensor2D[] => {
    const xs: tf.Tensor2D[] = [tf.tidy(() => enc.embeddingStage(b, k))];
    for (let l = 0; l < L; l++) {
      const x = xs[l]!;
      xs.push(tf.tidy(() => enc.layerStage(x, l, b, mask, k)));
      if (!keepAll && l > 0) x.dispose(); // only the running input is needed to go on
    }
    return xs;
  };
  const stages = batches.map((b) => {
    const mask = enc.attentionMask(b);
    let xs = forward(b, mask, !opts.recompute);
    const emb = tf.tidy(() => enc.headStage(xs[L]!, b, k));
    if (opts.recompute) {
      tf.dispose([xs[0]!, xs[L]!]);
      xs = [];
    }
    return { b, mask, xs, emb };
  });

  try {
    // 2. Loss and its gradient w.r.t. each batch's embeddings.
    const { value, grads: dEmb } = tf.valueAndGrads((...es: tf.Tensor[]) => lossFn(es as tf.Tensor2D[]))(stages.map((s) => s.emb));
    // Read the loss only after the backward pass is queued: an early read would stall
    // the GPU pipeline (and WebGPU has no synchronous read).
    const lossReady = value.data();

    // 3. Backward, one stage at a time, each recomputed under its own tape.
    stages.forEach((s, bi) => {
      if (opts.recompute) s.xs = forward(s.b, s.mask, true);
      const vjp = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor | undefined, vars: tf.Variable[], dy: tf.Tensor): tf.Tensor | undefined => {
        const xsIn = x ? [x, ...vars] : vars;
        if (xsIn.length === 0) return undefined;
        const out = tf.grads((...args: tf.Tensor[]) => f(args[0]!))(xsIn, dy);
        const dx = x ? out[0] : undefined;
        accumulate(vars, x ? out.slice(1) : out);
        return dx;
      };
      const trainable = (vs: tf.Variable[]): tf.Variable[] => vs.filter((v) => v.trainable);
      let dy: tf.Tensor = dEmb[bi]!;
      let next = vjp((x) => enc.headStage(x as tf.Tensor2D, s.b, k), s.xs[L], trainable(enc.stageVariables('head')), dy);
      dy.dispose();
      for (let l = L - 1; l >= lowest; l--) {
        dy = next!;
        const needDx = l > lowest || lowest === 0;
        next = vjp((x) => enc.layerStage(x as tf.Tensor2D, l, s.b, s.mask, k), s.xs[l], trainable(enc.stageVariables(l)), dy);
        if (!needDx) {
          next?.dispose();
          next = undefined;
        }
        dy.dispose();
      }
      if (lowest === 0) {
        dy = next!;
        const vars = trainable(enc.stageVariables('embeddings'));
        // The embedding stage has no tensor input: differentiate w.r.t. its variables only.
        if (vars.length) vjp(() => enc.embeddingStage(s.b, k), undefined, vars, dy);
        dy.dispose();
      } else next?.dispose();
      if (opts.recompute) {
        tf.dispose(s.xs); // this batch is done: its rebuilt layer inputs go before the next batch's are made
        s.xs = [];
      }
    });
    const loss = (await lossReady)[0]!;
    value.dispose();
    return { loss, grads };
  } finally {
    for (const s of stages) tf.dispose([s.mask, s.emb, ...s.xs]);
  }
}
