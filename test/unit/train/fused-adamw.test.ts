/**
 * The fused WGSL AdamW (tf/fused-adamw.ts) on WebGPU (SwiftShader here)
 * against the tfjs ops path on the same backend: three steps with weight
 * decay and changing learning rates over parameters of awkward sizes
 * (1 element, not a multiple of the workgroup, more than one workgroup row),
 * weights and both moments equal to 1e-6; one dispatch per parameter in one
 * compute pass per step; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { AdamW } from '../../../src/core/train/optimizer.ts';
import { fusedAdamWStats } from '../../../src/core/tf/fused-adamw.ts';
import { mulberry32 } from '../../../src/core/random.ts';

beforeAll(async () => { expect((await initNodeBackend('webgpu')).backend).toBe('webgpu'); });
afterAll(async () => { await initNodeBackend('cpu'); });

const SIZES = [1, 7, 300, 70_001];

function values(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

async function run(fused: boolean): Promise<{ w: Float32Array[]; m: Float32Array[]; v: Float32Array[] }> {
  const vars = SIZES.map((n, i) => tf.tidy(() => tf.variable(tf.tensor(values(n, i + 1)), true, `p${i}_${fused}`)));
  const opt = new AdamW({ weightDecay: 0.01, fused });
  for (const [step, lr] of [[1, 1e-3], [2, 3e-3], [3, 2e-4]] as const) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => { grads[v.name] = tf.tensor(values(v.size, 100 * step + i, 0.5)); });
    opt.apply(vars, grads, lr);
    for (const g of Object.values(grads)) g.dispose();
  }
  const moments = new Map([...opt.momentTensors()]);
  const out = {
    w: await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array)),
    m: await Promise.all(vars.map(async (v) => (await moments.get(v.name)!.m.data()) as Float32Array)),
    v: await Promise.all(vars.map(async (v) => (await moments.get(v.name)!.v.data()) as Float32Array)),
  };
  opt.dispose();
  vars.forEach((v) => v.dispose());
  return out;
}

describe('fused AdamW on WebGPU', () => {
  it('equals the tfjs ops path to 1e-6, in one dispatch per parameter, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const ref = await run(false);
    const d0 = fusedAdamWStats.dispatches;
    const p0 = fusedAdamWStats.passes;
    const fused = await run(true);
    expect(fusedAdamWStats.dispatches - d0).toBe(3 * SIZES.length);
    expect(fusedAdamWStats.passes - p0).toBe(3);
    for (const k of ['w', 'm', 'v'] as const) {
      SIZES.forEach((_, i) => {
        const a = ref[k][i]!;
        const b = fused[k][i]!;
        let worst = 0;
        for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!) / Math.max(1e-3, Math.abs(a[j]!)));
        expect(worst, `${k}[${i}]`).toBeLessThan(1e-6);
      });
    }
    // The weights moved (the kernel ran).
    expect(fused.w[3]![5]).not.toBe(values(SIZES[3]!, 4)[5]);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('a weight read between steps is read anew after the next (tfjs caches read values on the CPU; the kernel writes the GPU buffer)', async () => {
    const w = tf.variable(tf.tensor(values(300, 9)), true, 'cache-check');
    const opt = new AdamW({ fused: true });
    const g = tf.tensor(values(300, 10, 0.5));
    opt.apply([w], { [w.name]: g }, 1e-2); // now the weight lives in a GPU buffer
    const first = ((await w.data()) as Float32Array).slice(); // and this read caches it on the CPU as well
    opt.apply([w], { [w.name]: g }, 1e-2);
    const second = (await w.data()) as Float32Array;
    let moved = 0;
    for (let i = 0; i < first.length; i++) moved = Math.max(moved, Math.abs(second[i]! - first[i]!));
    expect(moved).toBeGreaterThan(5e-3); // ≈ lr: with a constant gradient Adam's second step moves each weight by about lr
    g.dispose();
    opt.dispose();
    w.dispose();
  });
});
