/**
 * The training step against PyTorch (scripts/golden_train_step.py, float64):
 * three steps on the generated tiny-bert with gradient accumulation over two
 * micro-batches, global-norm clipping, warmup then linear decay, and AdamW
 * (weight decay on every parameter). The losses, gradient norms and the
 * weights afterwards must equal PyTorch's on cpu and wasm. An untouched
 * embedding row checks that weight decay reaches rows without gradient.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import { toTokenBatch, type Encoder } from '../../../src/core/encoder/model.ts';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { AdamW, learningRateAt } from '../../../src/core/train/optimizer.ts';
import { trainStep } from '../../../src/core/train/step.ts';
import { FIXTURES, GEN_DIR } from '../encoder/helpers.ts';

interface Golden {
  config: { lr: number; warmup: number; steps: number; beta1: number; beta2: number; eps: number; weight_decay: number; max_grad_norm: number; temperature: number };
  losses: number[];
  grad_norms: number[];
  lrs: number[];
  weights: Record<string, number[] | number[][] | { rows: number[]; values: number[][] }>;
}
const golden = JSON.parse(readFileSync(join(FIXTURES, '../train/golden-adamw-tiny-bert.json'), 'utf8')) as Golden;
const inputs = JSON.parse(readFileSync(join(FIXTURES, 'golden-tiny-bert.json'), 'utf8')) as { n_queries: number; inputs: { ids: number[][]; mask: number[][] } };

describe.each(['cpu', 'wasm'] as const)('AdamW training step on %s equals PyTorch', (backend) => {
  let enc: Encoder;
  const losses: number[] = [];
  const norms: number[] = [];
  beforeAll(async () => {
    await initNodeBackend(backend);
    enc = await loadEncoder(folderFileProvider(join(GEN_DIR, 'tiny-bert')));
    const c = golden.config;
    const nq = inputs.n_queries;
    const { ids, mask } = inputs.inputs;
    const order2 = [...Array.from({ length: nq }, (_, i) => nq + i), ...Array.from({ length: nq }, (_, i) => i)];
    const micro = [
      { tokens: toTokenBatch(ids, mask), numQueries: nq },
      { tokens: toTokenBatch(order2.map((i) => ids[i]!), order2.map((i) => mask[i]!)), numQueries: nq },
    ];
    const opt = new AdamW({ beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weight_decay });
    const before = tf.memory().numTensors;
    for (let s = 1; s <= c.steps; s++) {
      const r = await trainStep(enc, micro, opt, { lr: learningRateAt(s, c.lr, c.warmup, c.steps), maxGradNorm: c.max_grad_norm, loss: { temperature: c.temperature } });
      losses.push(r.loss);
      norms.push(r.gradNorm);
      if (s > 1) expect(tf.memory().numTensors).toBe(before + 2 * enc.trainableVariables().length); // flat: only the optimizer's moments were added
    }
    opt.dispose();
  });
  afterAll(() => enc?.dispose());

  it('uses the same learning rates', () => {
    const c = golden.config;
    expect(Array.from({ length: c.steps }, (_, i) => learningRateAt(i + 1, c.lr, c.warmup, c.steps))).toEqual(golden.lrs);
  });

  it('gives the same losses and gradient norms', () => {
    for (let s = 0; s < golden.losses.length; s++) {
      expect(Math.abs(losses[s]! - golden.losses[s]!), `loss ${s + 1}: ${losses[s]} vs ${golden.losses[s]}`).toBeLessThan(1e-4 * Math.max(1, golden.losses[s]!) + 1e-6);
      expect(Math.abs(norms[s]! - golden.grad_norms[s]!) / golden.grad_norms[s]!, `grad norm ${s + 1}`).toBeLessThan(1e-3);
    }
    expect(losses[2]!).toBeLessThan(losses[0]!); // it trains
  });

  it('leaves the same weights after three steps (to 1e-4), weight decay included', () => {
    let checked = 0;
    for (const [name, ref] of Object.entries(golden.weights)) {
      const p = enc.params.get(name)!;
      let t: tf.Tensor = p.variable;
      if (p.spec.linear) t = tf.transpose(t); // tfjs holds [in, out]; PyTorch [out, in]
      const got = t.arraySync() as number[] | number[][];
      const rows = Array.isArray(ref) ? null : ref.rows;
      const want = Array.isArray(ref) ? ref : ref.values;
      const gotRows = rows ? rows.map((r) => (got as number[][])[r]!) : got;
      const flatGot = (gotRows as (number | number[])[]).flat();
      const flatWant = (want as (number | number[])[]).flat();
      expect(flatGot.length).toBe(flatWant.length);
      let max = 0;
      for (let i = 0; i < flatGot.length; i++) max = Math.max(max, Math.abs(flatGot[i]! - flatWant[i]!));
      expect(max, `${name}: max difference ${max}`).toBeLessThan(1e-4);
      checked += flatGot.length;
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('gradient cache', () => {
  it('a step over token batches of 2 texts (embeddings cached, layers recomputed) equals the plain step', async () => {
    await initNodeBackend('cpu');
    const nq = inputs.n_queries;
    const micro = [{ tokens: toTokenBatch(inputs.inputs.ids, inputs.inputs.mask), numQueries: nq }];
    const run = async (cacheChunk?: number) => {
      const enc = await loadEncoder(folderFileProvider(join(GEN_DIR, 'tiny-bert')));
      const opt = new AdamW({ eps: 1e-3, weightDecay: 0.1 });
      const losses: number[] = [];
      for (let s = 1; s <= 2; s++) losses.push((await trainStep(enc, micro, opt, { lr: 1e-2, maxGradNorm: 1, ...(cacheChunk ? { cacheChunk } : {}) })).loss);
      const w = enc.params.get('encoder.layer.0.attention.self.query.weight')!.variable.dataSync().slice();
      const before = tf.memory().numTensors;
      opt.dispose();
      enc.dispose();
      return { losses, w, before };
    };
    const plain = await run();
    const cached = await run(2);
    for (let i = 0; i < 2; i++) expect(Math.abs(cached.losses[i]! - plain.losses[i]!)).toBeLessThan(1e-6);
    let max = 0;
    for (let i = 0; i < plain.w.length; i++) max = Math.max(max, Math.abs(cached.w[i]! - plain.w[i]!));
    expect(max).toBeLessThan(1e-6);
    expect(cached.before).toBe(plain.before); // no tensor left behind by the recomputation
  });
});
