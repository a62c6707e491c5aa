/**
 * `npm run bench -- train [--backends wasm,cpu,webgpu] [--shapes tiny,minilm,bert-base] [--no-torch] [--smoke] [--fast-only]`
 *
 * The training step the trainer runs (src/core/train/step.ts: checkpointed
 * InfoNCE gradients over 16 query-passage pairs = 32 sequences of 128 tokens,
 * global-norm clipping, AdamW one variable at a time) for the tiny and the
 * MiniLM-L12 shapes of the encoder suite, per tfjs backend: steps/s and
 * examples/s, the number of kernels launched per step in each phase
 * (forward, loss and gradients, optimizer; tf.profile), and the peak bytes
 * tfjs held during the step. Next to PyTorch's step on the same CPU (one
 * thread; torch.optim.Adam, from the encoder suite) as a ratio. These are the
 * baseline the WebGPU speed work (issue 11) is measured against.
 *
 * On webgpu it also runs the fast path (src/core/fast/: the project's WGSL
 * kernels, one command buffer per step) — what training runs there — and
 * prints, for each shape and backend, one line a script can read:
 *   launches per step: <shape> <backend> <forward> <backward> <optimizer> <total>
 * (webgpu: the fast path's dispatches; other backends: tfjs kernels).
 * `--fast-only` skips the tfjs-webgpu rows (on SwiftShader a MiniLM tfjs step takes many minutes).
 * `--smoke` checks that everything still runs: the tiny shape with a 4,000-token
 * vocabulary at 8 × 16 tokens, one timed step, no PyTorch.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { lossAndGradients } from '../src/core/encoder/grads.ts';
import { kernelsFor } from '../src/core/tf/ops.ts';
import type { Backend } from '../src/core/run-config.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { infoNCE } from '../src/core/train/losses/info-nce.ts';
import { AdamW } from '../src/core/train/optimizer.ts';
import { fusedAdamWStats } from '../src/core/tf/fused-adamw.ts';
import { trainStep } from '../src/core/train/step.ts';
import { FastTrainer } from '../src/core/fast/train-step.ts';
import { benchTorch, DEFAULT_SHAPES } from './encoder.ts';
import { batchFor, buildEncoder, SHAPES, type Shape } from '../src/core/encoder/synthetic.ts';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

interface TrainRow {
  shape: string; impl: string; backend?: Backend; stepS: number; examplesPerS: number;
  kernels?: { forward: number; lossAndGrads: number; optimizer: number }; peakMB?: number; fast?: boolean;
}

/** Timed steps: at least one, then more until the budget or 10 steps. */
async function timeSteps(step: () => Promise<unknown>, budgetMs: number): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  do { await step(); n++; } while (performance.now() - t0 < budgetMs && n < 10);
  return (performance.now() - t0) / 1000 / n;
}

/** The WebGPU fast path: the same step (InfoNCE over the batch, clipping, AdamW) in the project's own kernels. */
async function benchFast(s: Shape, budgetMs: number): Promise<TrainRow> {
  await initNodeBackend('webgpu');
  const enc = buildEncoder(s);
  const opt = new AdamW({ weightDecay: 0.01 });
  const fast = new FastTrainer(enc, opt);
  const micro = [{ tokens: batchFor(s), numQueries: s.batch / 2 }];
  const step = async () => {
    const r = await fast.step(micro, { lr: 3e-5, maxGradNorm: 1 });
    if (!r) throw new Error(`the fast path refused the ${s.name} shape`);
    return r;
  };
  const first = await step(); // warm-up: shader compilation, buffers
  const stepS = await timeSteps(step, budgetMs);
  fast.dispose();
  opt.dispose();
  enc.dispose();
  const l = first.launches;
  return {
    shape: s.name, impl: 'tfjs-webgpu fast path (own WGSL kernels)', backend: 'webgpu', stepS, examplesPerS: s.batch / 2 / stepS,
    kernels: { forward: l.forward, lossAndGrads: l.backward, optimizer: l.optimizer }, fast: true,
  };
}

async function benchOne(backend: Backend, s: Shape, fused = true, budgetMs = 15_000): Promise<TrainRow> {
  await initNodeBackend(backend);
  const enc = buildEncoder(s);
  const batch = batchFor(s);
  const nq = s.batch / 2;
  const k = kernelsFor();
  const opt = new AdamW({ weightDecay: 0.01, fused });
  const micro = [{ tokens: batch, numQueries: nq }];
  const step = () => trainStep(enc, micro, opt, { lr: 3e-5, maxGradNorm: 1 });
  await step(); // warm-up: kernels, shaders, the optimizer's moments
  // Kernels per phase, and the peak of one whole step. tf.profile hands back the same object every time, so each
  // count is read before the next profile resets it.
  const count = async (f: () => Promise<void> | void): Promise<{ kernels: number; peak: number }> => {
    const p = await tf.profile(f as () => Promise<void>);
    return { kernels: p.kernels.length, peak: p.peakBytes };
  };
  const fwd = await count(async () => { const e = tf.tidy(() => enc.pool(batch, k)); await e.data(); e.dispose(); });
  let grads: tf.NamedTensorMap = {};
  const lg = await count(async () => {
    grads = (await lossAndGradients(enc, [batch], ([e]) => tf.tidy(() => infoNCE(tf.slice(e!, [0, 0], [nq, -1]) as tf.Tensor2D, tf.slice(e!, [nq, 0], [nq, -1]) as tf.Tensor2D, undefined)), k)).grads;
  });
  // The fused AdamW's dispatches are not tfjs kernels (tf.profile does not see them): counted by the kernel itself.
  const d0 = fusedAdamWStats.dispatches;
  const op = await count(() => { opt.apply(enc.trainableVariables(), grads, 3e-5); });
  op.kernels += fusedAdamWStats.dispatches - d0;
  tf.dispose(Object.values(grads));
  const whole = await count(async () => { await step(); });
  const stepS = await timeSteps(step, budgetMs);
  opt.dispose();
  enc.dispose();
  return {
    shape: s.name, impl: `tfjs-${backend}${backend === 'webgpu' ? (fused ? ' + fused AdamW' : ' (tfjs AdamW)') : ''}`, backend, stepS, examplesPerS: nq / stepS,
    kernels: { forward: fwd.kernels, lossAndGrads: lg.kernels, optimizer: op.kernels }, peakMB: whole.peak / 2 ** 20,
  };
}

export async function run(argv: string[]): Promise<void> {
  const backends = (arg(argv, '--backends') ?? 'wasm').split(',') as Backend[];
  const smoke = argv.includes('--smoke');
  const budgetMs = smoke ? 0 : 15_000;
  const shapes = smoke
    ? [{ ...SHAPES[0]!, vocab: 4000, seq: 16, batch: 8 }]
    : SHAPES.filter((s) => (arg(argv, '--shapes') ?? DEFAULT_SHAPES).split(',').includes(s.name));
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}, tfjs ${tf.version.tfjs}`);
  const rows: TrainRow[] = [];
  for (const b of backends) for (const s of shapes) {
    console.error(`… ${s.name} on tfjs-${b}`);
    // On WebGPU the tfjs-ops optimizer too: the reference the fused kernel is measured against.
    if (b === 'webgpu' && argv.includes('--fast-only')) {
      rows.push(await benchFast(s, budgetMs));
      continue;
    }
    if (b === 'webgpu') {
      console.error('  (tfjs AdamW)');
      rows.push(await benchOne(b, s, false, budgetMs));
      console.error('  (fused AdamW)');
    }
    rows.push(await benchOne(b, s, true, budgetMs));
    if (b === 'webgpu') {
      console.error('  (fast path)');
      rows.push(await benchFast(s, budgetMs));
    }
  }
  if (!argv.includes('--no-torch') && !smoke) {
    const t = benchTorch(shapes, 15);
    if (typeof t === 'string') console.log(t);
    else if (t.matmul512_ms >= 30) console.log('PyTorch runs on the reference BLAS: ratios refused (install libopenblas0-pthread)');
    else for (const r of t.rows) rows.push({ shape: r.shape, impl: `pytorch ${t.torch} (1 thread, Adam)`, stepS: r.stepS!, examplesPerS: r.batch / 2 / r.stepS! });
  }
  console.log('\n| shape | implementation | steps/s | examples/s | vs PyTorch | kernels: forward / loss+grads / optimizer | peak MB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ref = rows.find((x) => x.shape === r.shape && x.impl.startsWith('pytorch'));
    const ratio = ref && ref !== r ? `${(r.stepS / ref.stepS).toFixed(1)}× slower` : r.impl.startsWith('pytorch') ? 'reference' : '—';
    const k = r.kernels ? `${r.kernels.forward} / ${r.kernels.lossAndGrads} / ${r.kernels.optimizer}` : '—';
    console.log(`| ${r.shape} | ${r.impl} | ${(1 / r.stepS).toFixed(3)} | ${r.examplesPerS.toFixed(1)} | ${ratio} | ${k} | ${r.peakMB?.toFixed(0) ?? '—'} |`);
  }
  // The fast path against the tfjs step on the same backend, in this process.
  for (const f of rows.filter((r) => r.fast)) {
    const ref = rows.find((r) => r.shape === f.shape && r.backend === 'webgpu' && !r.fast && r.impl.includes('fused'));
    if (ref) console.log(`${f.shape}: the fast path's step is ${(ref.stepS / f.stepS).toFixed(1)}× faster than the tfjs-webgpu step`);
  }
  console.log('');
  // One line per shape and backend: on webgpu the fast path (what training runs there), elsewhere tfjs kernels.
  for (const s of shapes) for (const b of backends) {
    const r = rows.find((x) => x.shape === s.name && x.backend === b && (b !== 'webgpu' || x.fast));
    if (!r?.kernels) continue;
    const k = r.kernels;
    console.log(`launches per step: ${s.name} ${b} ${k.forward} ${k.lossAndGrads} ${k.optimizer} ${k.forward + k.lossAndGrads + k.optimizer}`);
  }
  if (backends.includes('webgpu')) {
    console.log('Real-GPU figures are still to be taken where no GPU is lent: ../shared/gpu/ has the scripts (webgpu here is SwiftShader when the machine has no GPU).');
  }
}
