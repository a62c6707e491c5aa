/**
 * The training loop on real data (XQuAD-R de/en/zh, the generated tiny-bert,
 * wasm and cpu backends): the loss falls, the history logs what the issue asks, a run
 * restored from a checkpoint equals an uninterrupted one bit for bit, and the
 * tensor count stays flat over the steps.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import { loadTextModel, type TextModel } from '../../../src/core/tokenize/text-model.ts';
import { buildTrainingPool, type TrainingPool } from '../../../src/core/train/pool.ts';
import { Trainer, type TrainerOptions } from '../../../src/core/train/trainer.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { BatchSampler } from '../../../src/core/train/samplers/index.ts';
import { infoNCE } from '../../../src/core/train/losses/info-nce.ts';
import { padBatch } from '../../../src/core/tokenize/batch.ts';
import { loadXquadR } from '../eval/xquad-r.ts';

let pool: TrainingPool;
const OPTS: TrainerOptions = {
  sampler: { kind: 'hybrid', batchSize: 8 }, schedule: { kind: 'constant', alpha: 0.5 }, steps: 8, lr: 5e-3, warmupSteps: 2,
  weightDecay: 0.01, maxGradNorm: 1, accumulation: 2, temperature: 0.05, loss: 'in-batch',
  tokenization: { queryPrefix: 'query: ', passagePrefix: 'passage: ' }, seed: 7,
};
const model = (): Promise<TextModel> => loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), { maxLength: 32 });

beforeAll(async () => {
  await initNodeBackend('cpu');
  pool = buildTrainingPool(await loadXquadR(['de', 'en', 'zh']));
});

describe('Trainer', () => {
  it('trains: the loss on fixed batches falls, the history has step, loss, alpha, lr, batch type, and the tensor count stays flat', async () => {
    await initNodeBackend('wasm');
    const m = await model();
    // The first six training batches (the same seed replays them), scored before and after training: training
    // losses alone vary with what each batch holds.
    const probe = new BatchSampler(pool, { kind: 'xx', batchSize: 8 }, { seed: OPTS.seed });
    const fixed = Array.from({ length: 6 }, () => probe.next(0.5));
    const lossOn = (): number => tf.tidy(() => fixed.reduce((sum, b) => {
      const texts = [...b.pairs.map((p) => `query: ${p.query}`), ...b.pairs.map((p) => `passage: ${p.positive}`)];
      const r = m.tokenizer.encodeBatch(texts, { maxLength: m.maxLength });
      const pb = padBatch(r, texts.map((_, i) => i), m.tokenizer.padId);
      const e = m.encoder.pool({ ids: pb.inputIds, mask: pb.attentionMask, batch: pb.batchSize, seq: pb.seqLen });
      const n = b.pairs.length;
      return sum + infoNCE(tf.slice(e, [0, 0], [n, -1]) as tf.Tensor2D, tf.slice(e, [n, 0], [n, -1]) as tf.Tensor2D, undefined).dataSync()[0]!;
    }, 0) / fixed.length);
    const before = lossOn();
    const t = new Trainer(m, pool, { ...OPTS, steps: 12, lr: 1e-2, sampler: { kind: 'xx', batchSize: 8 }, accumulation: 1 });
    const counts: number[] = [];
    while (!t.done) {
      await t.next();
      counts.push(tf.memory().numTensors);
    }
    const after = lossOn();
    expect(after).toBeLessThan(before * 0.8);
    const h = t.history;
    expect(h).toHaveLength(12);
    expect(h[0]).toMatchObject({ step: 1, alpha: 0.5, lr: 5e-3, examples: 8, batch_type: 'mono' });
    // Epochs count examples over the pool's groups (batches are drawn independently, so an epoch is not a pass).
    expect(h[2]!.epoch).toBe(24 / pool.groups.length);
    expect(h.map((e) => e.lr).slice(0, 3)).toEqual([5e-3, 1e-2, 1e-2 * 10 / 11]);
    expect(new Set(counts.slice(1)).size).toBe(1); // no tensor leaks step after step
    t.dispose();
    m.encoder.dispose();
    await initNodeBackend('cpu');
  });

  it.each(['wasm', 'cpu'] as const)('a run resumed from a checkpoint equals an uninterrupted one, bit for bit on %s', async (backend) => {
    await initNodeBackend(backend);
    const a = await model();
    const whole = new Trainer(a, pool, OPTS);
    while (!whole.done) await whole.next();
    const b = await model();
    const firstHalf = new Trainer(b, pool, OPTS);
    for (let i = 0; i < 4; i++) await firstHalf.next();
    const ckpt = structuredClone(await firstHalf.checkpoint()); // as IndexedDB or a file would give it back
    firstHalf.dispose();
    b.encoder.dispose();
    const c = await model();
    const resumed = new Trainer(c, pool, OPTS, ckpt);
    expect(resumed.step).toBe(4);
    while (!resumed.done) await resumed.next();
    expect(resumed.history.map((e) => e.loss)).toEqual(whole.history.map((e) => e.loss));
    expect(resumed.history.map((e) => e.batch_type)).toEqual(whole.history.map((e) => e.batch_type));
    const wa = a.encoder.params.get('encoder.layer.1.output.dense.weight')!.variable.dataSync();
    const wc = c.encoder.params.get('encoder.layer.1.output.dense.weight')!.variable.dataSync();
    expect(Array.from(wc)).toEqual(Array.from(wa));
    whole.dispose();
    resumed.dispose();
    a.encoder.dispose();
    c.encoder.dispose();
  });

  it('on webgpu (SwiftShader here): steps run on the fast path, equal the tfjs path, and a resumed run equals an uninterrupted one within 1e-5 (run to run, GPU reductions are not bit-stable)', async () => {
    const active = await initNodeBackend('webgpu');
    expect(active.backend).toBe('webgpu');
    const opts: TrainerOptions = { ...OPTS, steps: 4, warmupSteps: 1, accumulation: 1, sampler: { kind: 'hybrid', batchSize: 4 } };
    const small = (): Promise<TextModel> => loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), { maxLength: 16 });
    const a = await small();
    const whole = new Trainer(a, pool, opts);
    expect(whole.engine).toMatch(/WebGPU fast path/);
    while (!whole.done) await whole.next();
    const r = await small();
    const reference = new Trainer(r, pool, { ...opts, fastPath: false });
    expect(reference.engine).toMatch(/tfjs ops: .*fastPath: false/);
    while (!reference.done) await reference.next();
    reference.history.forEach((e, i) => expect(Math.abs(e.loss - whole.history[i]!.loss), `step ${i + 1}`).toBeLessThan(1e-4));
    reference.dispose();
    r.encoder.dispose();
    const b = await small();
    const first = new Trainer(b, pool, opts);
    for (let i = 0; i < 2; i++) await first.next();
    const ckpt = structuredClone(await first.checkpoint());
    first.dispose();
    b.encoder.dispose();
    const c = await small();
    const resumed = new Trainer(c, pool, opts, ckpt);
    while (!resumed.done) await resumed.next();
    const la = whole.history.map((e) => e.loss);
    const lr = resumed.history.map((e) => e.loss);
    expect(la.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < la.length; i++) expect(Math.abs(la[i]! - lr[i]!), `step ${i + 1}`).toBeLessThan(1e-5);
    const name = 'encoder.layer.1.output.dense.weight';
    const wa = await a.encoder.params.get(name)!.variable.data();
    const wc = await c.encoder.params.get(name)!.variable.data();
    let diff = 0;
    for (let i = 0; i < wa.length; i++) diff = Math.max(diff, Math.abs(wa[i]! - wc[i]!));
    expect(diff).toBeLessThan(1e-5);
    whole.dispose();
    resumed.dispose();
    a.encoder.dispose();
    c.encoder.dispose();
    await initNodeBackend('cpu');
  }, 300_000);

  it('refuses bad options before any step', async () => {
    const m = await model();
    expect(() => new Trainer(m, pool, { ...OPTS, steps: 0 })).toThrow(/train\.steps/);
    expect(() => new Trainer(m, pool, { ...OPTS, schedule: { kind: 'constant', alpha: 2 } })).toThrow(/alpha 2 is outside/);
    expect(() => new Trainer(m, pool, { ...OPTS, sampler: { kind: 'xx', batchSize: 100_000 } })).toThrow(/larger than the 1190 parallel groups/);
    m.encoder.dispose();
  });
});
