/**
 * The WebGPU fast path (src/core/fast/) on Dawn in Node — SwiftShader here,
 * the GPU on a GPU machine:
 * - against PyTorch (scripts/golden_encoder.py fixtures): pooled embeddings
 *   to 1e-4, the InfoNCE loss and gradients to 1e-3 relative, on BERT,
 *   XLM-R (CLS pooling, a Dense head) and DistilBERT;
 * - against the tfjs path (the reference) on the same backend: gradients
 *   with hard negatives, the symmetric loss and frozen layers; whole
 *   optimizer steps (accumulation, clipping, AdamW) to float rounding;
 * - the contract with tfjs: the encoder's variables and the optimizer's
 *   moments hold the trained values after each step, a value read before a
 *   step is not served stale after it, a non-finite loss leaves the weights
 *   unchanged, and a step counts under 300 launches for this model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, installNodeWebGPU } from '../../../src/node/backend.ts';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import { toTokenBatch, type Encoder, type TokenBatch } from '../../../src/core/encoder/model.ts';
import { lossAndGradients } from '../../../src/core/encoder/grads.ts';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { AdamW } from '../../../src/core/train/optimizer.ts';
import { trainStep, type MicroBatch } from '../../../src/core/train/step.ts';
import { infoNCE as infoNceLoss } from '../../../src/core/train/losses/info-nce.ts';
import { FastTrainer, fastPathBlocker } from '../../../src/core/fast/train-step.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { GEN_DIR, FIXTURES, type GoldenEncoder, maxAbs } from '../encoder/helpers.ts';
import { buildEncoder } from '../../../src/core/encoder/synthetic.ts';

type Golden = GoldenEncoder;

const available = await installNodeWebGPU().catch(() => false);
const MODELS = ['tiny-bert', 'tiny-xlmr', 'tiny-distilbert'] as const;

const load = (name: string): Promise<Encoder> => loadEncoder(folderFileProvider(join(GEN_DIR, name)));

function variableOf(enc: Encoder, param: string): tf.Variable {
  return param.startsWith('2_Dense/') ? enc.denseVars[0]!.weight : enc.params.get(param)!.variable;
}

/** A batch of `rows` random sequences of length `seq` with ragged padding (every row keeps ≥ 2 tokens). */
function randomBatch(enc: Encoder, rows: number, seq: number, seed: number): TokenBatch {
  const r = mulberry32(seed);
  const V = enc.config.vocabSize;
  const ids: number[][] = [];
  const mask: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const len = 2 + Math.floor(r() * (seq - 1));
    ids.push(Array.from({ length: seq }, (_, s) => (s < len ? 1 + Math.floor(r() * (V - 1)) : 0)));
    mask.push(Array.from({ length: seq }, (_, s) => (s < len ? 1 : 0)));
  }
  return toTokenBatch(ids, mask);
}

const absMax = (w: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]!));
  return m;
};

/**
 * Error relative to the reference, with a floor at 1 % of the largest reference value among its peers: some
 * gradients are zero in exact arithmetic (a key bias: softmax ignores a per-row constant) and both sides are
 * rounding noise there.
 */
function errAmong(got: ArrayLike<number>, want: ArrayLike<number>, largest: number): number {
  return maxAbs(got, want) / Math.max(absMax(want), 1e-2 * largest, 1e-30);
}

async function relErr(got: ArrayLike<number>, want: ArrayLike<number>): Promise<number> {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  return maxAbs(got, want) / Math.max(scale, 1e-30);
}

describe.runIf(available)('WebGPU fast path', () => {
  beforeAll(async () => { expect((await initNodeBackend('webgpu')).backend).toBe('webgpu'); });
  afterAll(async () => { await initNodeBackend('cpu'); });

  describe.each(MODELS)('%s against PyTorch', (name) => {
    const g = JSON.parse(readFileSync(join(FIXTURES, `golden-${name}.json`), 'utf8')) as Golden;
    let enc: Encoder;
    let opt: AdamW;
    let fast: FastTrainer;
    beforeAll(async () => {
      enc = await load(name);
      opt = new AdamW();
      fast = new FastTrainer(enc, opt);
    });
    afterAll(() => { fast.dispose(); opt.dispose(); enc.dispose(); });

    it('pooled embeddings to 1e-4', async () => {
      const emb = (await fast.embed(toTokenBatch(g.inputs.ids, g.inputs.mask)))!;
      expect(emb.length).toBe(g.embeddings.length);
      for (let i = 0; i < emb.length; i++) expect(maxAbs(emb[i]!, g.embeddings[i]!)).toBeLessThan(1e-4);
    });

    it('InfoNCE loss to 1e-4 and gradients to 1e-3 relative', async () => {
      const r = (await fast.gradients({ tokens: toTokenBatch(g.inputs.ids, g.inputs.mask), numQueries: g.n_queries }, { temperature: g.temperature }))!;
      expect(Math.abs(r.loss - g.loss)).toBeLessThan(1e-4 * Math.max(1, g.loss));
      for (const [param, ref] of Object.entries(g.grads)) {
        const v = variableOf(enc, param);
        const flat = r.grads.get(v);
        expect(flat, param).toBeDefined();
        const linear = param.startsWith('2_Dense/') || enc.params.get(param)!.spec.linear;
        const t = tf.tidy(() => {
          const x = tf.tensor(flat!, v.shape);
          return (linear ? tf.transpose(x) : x).slice(0, ref.shape[0]);
        });
        const got = await t.data();
        t.dispose();
        expect(Math.max(...ref.values.map(Math.abs)), `${param} reference gradient is all zeros`).toBeGreaterThan(0);
        expect(await relErr(got, ref.values), param).toBeLessThan(1e-3);
      }
      const word = r.grads.get(enc.params.get('embeddings.word_embeddings.weight')!.variable)!;
      const H = enc.config.hidden;
      const wr = g.word_embedding_grad_rows;
      const got = wr.rows.flatMap((row) => [...word.subarray(row * H, (row + 1) * H)]);
      expect(await relErr(got, wr.values.flat())).toBeLessThan(1e-3);
    });
  });

  /** The tfjs path's gradients (grads.ts, the checked reference) for the same micro-batch. */
  async function tfjsGrads(enc: Encoder, mb: MicroBatch, variant: 'in-batch' | 'symmetric', t: number): Promise<{ loss: number; grads: tf.NamedTensorMap }> {
    const n = mb.numQueries;
    return lossAndGradients(enc, [mb.tokens], ([e]) => tf.tidy(() => {
      const rest = e!.shape[0] - 2 * n;
      return infoNceLoss(tf.slice(e!, [0, 0], [n, -1]), tf.slice(e!, [n, 0], [n, -1]), rest > 0 ? tf.slice(e!, [2 * n, 0], [rest, -1]) : undefined, { temperature: t, variant });
    }));
  }

  it.each([
    ['hard negatives', 'tiny-bert', 'in-batch', {}],
    ['the symmetric loss', 'tiny-xlmr', 'symmetric', {}],
    ['frozen embeddings and layer 0', 'tiny-distilbert', 'in-batch', { freezeEmbeddings: true, freezeBottomLayers: 1 }],
    ['frozen layer 0 only (back-propagation still reaches the embeddings)', 'tiny-bert', 'in-batch', { freezeBottomLayers: 1 }],
  ] as const)('gradients equal the tfjs path with %s', async (_, name, variant, freeze) => {
    const enc = await load(name);
    enc.setFreeze(freeze);
    const mb: MicroBatch = { tokens: randomBatch(enc, 7, 9, 3), numQueries: 3 }; // 3 queries, 3 positives, 1 hard negative
    const opt = new AdamW();
    const fast = new FastTrainer(enc, opt);
    const got = (await fast.gradients(mb, { temperature: 0.05, variant }))!;
    const want = await tfjsGrads(enc, mb, variant, 0.05);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5 * Math.max(1, want.loss));
    const trained = enc.trainableVariables();
    expect([...got.grads.keys()].map((v) => v.name).sort()).toEqual(trained.map((v) => v.name).sort());
    const wants = new Map(await Promise.all(trained.map(async (v) => [v, (await want.grads[v.name]!.data()) as Float32Array] as const)));
    const largest = Math.max(...[...wants.values()].map(absMax));
    for (const v of trained) expect(errAmong(got.grads.get(v)!, wants.get(v)!, largest), v.name).toBeLessThan(1e-4);
    tf.dispose(Object.values(want.grads));
    fast.dispose();
    opt.dispose();
    enc.dispose();
  });

  it('three optimizer steps (2 accumulated micro-batches, clipping, AdamW) equal the tfjs path; variables and moments hold the result', async () => {
    const [a, b] = [await load('tiny-bert'), await load('tiny-bert')];
    const optA = new AdamW({ fused: false });
    const optB = new AdamW();
    const fast = new FastTrainer(b, optB);
    const before = (await b.params.get('encoder.layer.0.output.dense.weight')!.variable.data()) as Float32Array; // caches values on the CPU
    const lrs = [1e-3, 5e-4, 2e-4];
    for (const [i, lr] of lrs.entries()) {
      const micro: MicroBatch[] = [0, 1].map((k) => ({ tokens: randomBatch(a, 6 + k, 8, 10 * i + k), numQueries: 3 }));
      const opts = { lr, maxGradNorm: 0.5, loss: { temperature: 0.05 } };
      const ref = await trainStep(a, micro, optA, opts);
      const got = (await fast.step(micro, opts))!;
      expect(got.loss).toBeCloseTo(ref.loss, 4);
      expect(Math.abs(got.gradNorm - ref.gradNorm) / ref.gradNorm).toBeLessThan(1e-4);
      expect(ref.gradNorm).toBeGreaterThan(0.5); // clipping took effect
    }
    expect(optB.step).toBe(3);
    const momentsA = new Map(optA.momentTensors());
    const momentsB = new Map(optB.momentTensors());
    let worst = 0;
    const ms: [string, Float32Array, Float32Array][] = [];
    for (const [name, p] of a.params) {
      const q = b.params.get(name)!;
      const wa = (await p.variable.data()) as Float32Array;
      const wb = (await q.variable.data()) as Float32Array;
      // Adam divides by √v, so a gradient that is rounding noise (the key bias's, zero in exact arithmetic) moves
      // its weight by ±lr either way: those are left out; every other weight must agree far below one step.
      if (!/key\.bias|k_lin\.bias/.test(name)) worst = Math.max(worst, maxAbs(wa, wb));
      ms.push([name, (await momentsB.get(q.variable.name)!.m.data()) as Float32Array, (await momentsA.get(p.variable.name)!.m.data()) as Float32Array]);
    }
    const largest = Math.max(...ms.map(([, , want]) => absMax(want)));
    for (const [name, got, want] of ms) expect(errAmong(got, want, largest), name).toBeLessThan(1e-3);
    expect(worst).toBeLessThan(0.01 * lrs[0]!);
    const after = (await b.params.get('encoder.layer.0.output.dense.weight')!.variable.data()) as Float32Array;
    expect(maxAbs(after, before)).toBeGreaterThan(1e-5); // not tfjs's stale CPU copy of `before`
    fast.dispose();
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it('a non-finite loss stops the step with the weights and moments unchanged', async () => {
    const enc = await load('tiny-bert');
    const opt = new AdamW();
    const fast = new FastTrainer(enc, opt);
    const mb: MicroBatch = { tokens: randomBatch(enc, 6, 8, 5), numQueries: 3 };
    await fast.step([mb], { lr: 1e-3, loss: { temperature: 0.05 } });
    const w = (await enc.params.get('encoder.layer.1.attention.self.key.weight')!.variable.data()).slice();
    await expect(fast.step([mb], { lr: 1e-3, loss: { temperature: 1e-38 } })).rejects.toThrow(/the (loss|gradient norm) is (NaN|Infinity).*weights are unchanged/);
    expect(opt.step).toBe(1);
    expect(maxAbs((await enc.params.get('encoder.layer.1.attention.self.key.weight')!.variable.data()) as Float32Array, w as Float32Array)).toBe(0);
    fast.dispose();
    opt.dispose();
    enc.dispose();
  });

  it('counts its launches (279 for 12 layers); the shapes it cannot take go back to the tfjs path', async () => {
    const enc = await load('tiny-bert');
    const opt = new AdamW();
    const fast = new FastTrainer(enc, opt);
    const r = (await fast.step([{ tokens: randomBatch(enc, 6, 8, 7), numQueries: 3 }], { lr: 1e-4 }))!;
    const L = enc.config.layers;
    expect(r.launches.forward).toBe(2 + 7 * L + 3);
    expect(r.launches.backward).toBe(2 + 15 * L + 3);
    expect(r.launches.optimizer).toBe(2 + 1 + 2);
    expect(await fast.step([{ tokens: randomBatch(enc, 2, 8, 7), numQueries: 2 }], { lr: 1e-4 })).toBeUndefined(); // no candidate beyond the queries
    // A 12-layer encoder (MiniLM's and BERT-base's depth; the count does not depend on the width): under 300.
    const deep = buildEncoder({ name: 'deep', vocab: 1000, hidden: 32, layers: 12, heads: 4, ffn: 64, seq: 8, batch: 6 });
    const deepOpt = new AdamW();
    const deepFast = new FastTrainer(deep, deepOpt);
    const d = (await deepFast.step([{ tokens: randomBatch(deep, 6, 8, 9), numQueries: 3 }], { lr: 1e-4, maxGradNorm: 1 }))!;
    expect([d.launches.forward, d.launches.backward, d.launches.optimizer]).toEqual([89, 185, 5]);
    expect(d.launches.forward + d.launches.backward + d.launches.optimizer).toBeLessThan(300);
    deepFast.dispose();
    deepOpt.dispose();
    deep.dispose();
    expect(fastPathBlocker(enc, { cacheChunk: 4 })).toMatch(/gradient cache/);
    expect(fastPathBlocker(enc, { loss: { variant: 'paper' } })).toMatch(/paper/);
    fast.dispose();
    opt.dispose();
    enc.dispose();
  });
});
