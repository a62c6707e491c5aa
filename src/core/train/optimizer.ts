/**
 * AdamW (decoupled weight decay; Loshchilov & Hutter), the learning-rate
 * schedule and global-norm clipping, as PyTorch's torch.optim.AdamW and
 * clip_grad_norm_ compute them (checked against PyTorch:
 * test/unit/train/adamw-golden.test.ts).
 *
 * Updates are applied one variable at a time, each in its own tidy scope, so
 * the optimizer never holds more than one variable's temporaries: tfjs's
 * Adam.applyGradients builds every update before assigning any (about 2.4 GB
 * at the peak for MiniLM, measured by the encoder issue).
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamW, fusedAdamWAvailable } from '../tf/fused-adamw.ts';
import { LabError } from '../errors.ts';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (the paper's 0.01), applied to every trained variable. */
  weightDecay?: number;
  /** On the WebGPU backend, use the fused WGSL kernel (default); false keeps the tfjs ops (the reference). */
  fused?: boolean;
}

/**
 * Linear warmup then linear decay, for steps s = 1 … total:
 * lr · s / warmup while s ≤ warmup, then lr · (total − s + 1) / (total − warmup + 1).
 */
export function learningRateAt(step: number, base: number, warmup: number, total: number): number {
  if (!Number.isInteger(step) || step < 1 || step > total) throw new LabError('invalid-argument', `step ${step} is outside 1…${total}`);
  return step <= warmup ? (base * step) / warmup : (base * (total - step + 1)) / (total - warmup + 1);
}

/**
 * Scales the gradients in place so their global L2 norm is at most maxNorm
 * (PyTorch: coefficient maxNorm / (norm + 1e-6), capped at 1). Returns the
 * norm before clipping.
 */
export async function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): Promise<number> {
  const names = Object.keys(grads);
  // A chain of adds, not tf.addN: WebGPU's addN binds every input at once and a BERT has more variables than
  // a shader stage may bind (8 storage buffers on some adapters). Summed in the same order, so the CPU result is the same.
  const sq = tf.tidy(() => names.map((n) => tf.sum(tf.square(grads[n]!))).reduce((a, b) => tf.add(a, b)));
  const norm = Math.sqrt((await sq.data())[0]!);
  sq.dispose();
  if (!Number.isFinite(norm)) return norm; // the caller stops the run: a non-finite gradient is not clipped into a finite one
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const n of names) {
      const scaled = tf.mul(grads[n]!, coef);
      grads[n]!.dispose();
      grads[n] = scaled;
    }
  }
  return norm;
}

export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Steps taken (the bias corrections use it). */
  step = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly wd: number;
  /** On WebGPU: one WGSL dispatch per parameter instead of about ten tfjs ops (tf/fused-adamw.ts). */
  private readonly fused: boolean;
  private kernel: FusedAdamW | undefined;

  constructor(opts: AdamWOptions = {}) {
    this.fused = opts.fused ?? true;
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.wd = opts.weightDecay ?? 0.01;
  }

  /** One update of every variable that has a gradient, at this learning rate (PyTorch's AdamW step). */
  apply(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    this.step++;
    const bc1 = 1 - this.b1 ** this.step;
    const bc2 = 1 - this.b2 ** this.step;
    const todo: { w: tf.Variable; g: tf.Tensor; m: tf.Variable; v: tf.Variable }[] = [];
    for (const w of vars) {
      const g = grads[w.name];
      if (!g) continue;
      // (momentsOf makes the zeros in a tidy: they would otherwise stay allocated beside the variables.)
      const { m, v } = this.momentsOf(w, true)!;
      todo.push({ w, g, m, v });
    }
    if (this.fused && fusedAdamWAvailable()) {
      this.kernel ??= new FusedAdamW();
      this.kernel.step(todo, { lr, beta1: this.b1, beta2: this.b2, eps: this.eps, weightDecay: this.wd, bc1, bc2 });
      return;
    }
    for (const { w, g, m: mm, v: vv } of todo) {
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(mm, this.b1), tf.mul(g, 1 - this.b1));
        const v1 = tf.add(tf.mul(vv, this.b2), tf.mul(tf.square(g), 1 - this.b2));
        mm.assign(m1);
        vv.assign(v1);
        // p ← p·(1 − lr·wd) − lr · (m / bc1) / (√(v / bc2) + eps)
        const update = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), this.eps));
        w.assign(tf.sub(tf.mul(w, 1 - lr * this.wd), tf.mul(update, lr)));
      });
    }
  }

  /**
   * A variable's two moments; made (zeros) when it has none yet and `create` is set. The WebGPU fast path
   * (../fast/train-step.ts) keeps the moments in its own buffers and writes them back here after each step,
   * so checkpoints and the tfjs path see them.
   */
  momentsOf(w: tf.Variable, create: boolean): { m: tf.Variable; v: tf.Variable } | undefined {
    let m = this.m.get(w.name);
    let v = this.v.get(w.name);
    if (!m || !v) {
      if (!create) return undefined;
      m = tf.tidy(() => tf.variable(tf.zerosLike(w), false));
      v = tf.tidy(() => tf.variable(tf.zerosLike(w), false));
      this.m.set(w.name, m);
      this.v.set(w.name, v);
    }
    return { m, v };
  }

  /** The hyper-parameters, for a kernel that applies the same update. */
  get hyper(): { beta1: number; beta2: number; eps: number; weightDecay: number } {
    return { beta1: this.b1, beta2: this.b2, eps: this.eps, weightDecay: this.wd };
  }

  /** The moments per variable name (for checkpoints). */
  *momentTensors(): Generator<[string, { m: tf.Variable; v: tf.Variable }]> {
    for (const [name, m] of this.m) yield [name, { m, v: this.v.get(name)! }];
  }

  /** Restores the step count and the moments of a checkpoint. */
  restore(step: number, moments: { variable: tf.Variable; m: Float32Array; v: Float32Array }[]): void {
    this.dispose();
    this.step = step;
    for (const { variable, m, v } of moments) {
      this.m.set(variable.name, tf.tidy(() => tf.variable(tf.tensor(m, variable.shape), false)));
      this.v.set(variable.name, tf.tidy(() => tf.variable(tf.tensor(v, variable.shape), false)));
    }
  }

  dispose(): void {
    this.kernel?.dispose();
    this.kernel = undefined;
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
