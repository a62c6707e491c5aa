/**
 * AdamW as one WGSL dispatch per parameter on tfjs-backend-webgpu's own
 * device and buffers: weights, gradient and both moments read once and
 * written in place, all dispatches recorded into one compute pass of tfjs's
 * command encoder (so they run in order with the tfjs work around them).
 * The tfjs path in optimizer.ts costs about ten ops per parameter — 3,353
 * ops and 606 ms for MiniLM on an H200 (../shared/gpu/README.md) — this
 * costs one dispatch per parameter. It is the first piece of the WebGPU fast
 * path; the tfjs path stays the reference and the fallback (other backends).
 *
 * The arithmetic is the tfjs path's, in the same order, with the same f32
 * constants (1 − β and 1 − lr·wd computed in f64 on the host and rounded
 * once), so the two agree to float rounding (a compiler may fuse a
 * multiply-add); the golden test allows 1e-6.
 *
 * The training step's fast path (../fast/train-step.ts) has its own flat-buffer
 * AdamW; this one serves the tfjs path's steps on WebGPU.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { ADAMW_WGSL } from '../fast/kernels/optimizer.ts';
import { USAGE, writableBufferOfTensor, type GpuBuffer, type GpuDevice, type GpuPipeline, type WebGpuBackendLike } from '../fast/gpu.ts';

const WORKGROUP = 256;
const MAX_GROUPS_PER_DIM = 65535;

const SHADER = /* wgsl */ `${ADAMW_WGSL}
struct Params { lr: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, eps: f32, bc1: f32, bc2: f32, decay: f32, n: u32 };
@group(0) @binding(0) var<storage, read_write> w: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= p.n) { return; }
  let r = adamw(w[i], g[i], m[i], v[i], p.lr, p.b1, p.omb1, p.b2, p.omb2, p.eps, p.bc1, p.bc2, p.decay);
  w[i] = r.x;
  m[i] = r.y;
  v[i] = r.z;
}`;

export interface AdamWConstants {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 − β^t of this step. */
  bc1: number;
  bc2: number;
}

/** Whether the fused kernel can run: the active backend is WebGPU. */
export function fusedAdamWAvailable(): boolean {
  return tf.getBackend() === 'webgpu';
}

const pipelines = new WeakMap<GpuDevice, GpuPipeline>();

/** Counts the dispatches recorded, for the bench's launch counts. */
export const fusedAdamWStats = { dispatches: 0, passes: 0 };

/**
 * The fused step for one optimizer: it keeps one small uniform buffer per parameter (lr and the bias
 * corrections change every step; they are rewritten with queue.writeBuffer, which the queue orders before
 * the step's dispatches), destroyed by `dispose`.
 */
export class FusedAdamW {
  private readonly uniforms = new Map<string, GpuBuffer>();

  /** One AdamW step over every (weight, gradient, m, v), updating the weights and moments in place (float32, WebGPU). */
  step(params: readonly { w: tf.Variable; g: tf.Tensor; m: tf.Variable; v: tf.Variable }[], c: AdamWConstants): void {
    if (!fusedAdamWAvailable()) throw new LabError('backend', 'the fused AdamW kernel needs the WebGPU backend');
    const backend = tf.backend() as unknown as WebGpuBackendLike;
    const device = backend.device;
    let pipeline = pipelines.get(device);
    if (!pipeline) {
      pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } });
      pipelines.set(device, pipeline);
    }
    const layout = pipeline.getBindGroupLayout(0);
    // Weights and moments are written in place: writableBufferOfTensor drops tfjs's CPU copy of their values.
    const bufferOf = (t: tf.Tensor): GpuBuffer => writableBufferOfTensor(backend, t);
    const bindings = params.map(({ w, g, m, v }) => {
      if (g.size !== w.size || m.size !== w.size || v.size !== w.size) throw new LabError('backend', `fused AdamW: sizes differ for ${w.name}`);
      let u = this.uniforms.get(w.name);
      if (!u) {
        u = device.createBuffer({ size: 48, usage: USAGE.UNIFORM | USAGE.COPY_DST });
        this.uniforms.set(w.name, u);
      }
      const data = new ArrayBuffer(48);
      new Float32Array(data, 0, 9).set([c.lr, c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.eps, c.bc1, c.bc2, 1 - c.lr * c.weightDecay]);
      new Uint32Array(data, 36, 1)[0] = w.size;
      device.queue.writeBuffer(u, 0, new Uint8Array(data));
      const group = device.createBindGroup({
        layout, entries: [bufferOf(w), bufferOf(g), bufferOf(m), bufferOf(v), u].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      return { group, n: w.size };
    });
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    const pass = backend.commandEncoder.beginComputePass();
    pass.setPipeline(pipeline);
    for (const b of bindings) {
      const groups = Math.ceil(b.n / WORKGROUP);
      const x = Math.min(groups, MAX_GROUPS_PER_DIM);
      pass.setBindGroup(0, b.group);
      pass.dispatchWorkgroups(x, Math.ceil(groups / x));
      fusedAdamWStats.dispatches++;
    }
    pass.end();
    // Submit now: the next step rewrites these uniform buffers with queue.writeBuffer, which would otherwise
    // land before this step's dispatches (still sitting in tfjs's unsubmitted encoder) run.
    backend.submitQueue();
    fusedAdamWStats.passes++;
  }

  dispose(): void {
    if (this.uniforms.size && fusedAdamWAvailable()) {
      // Submit what tfjs has recorded (it may hold this optimizer's last dispatches) before the buffers go.
      const backend = tf.backend() as unknown as WebGpuBackendLike;
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
    }
    for (const u of this.uniforms.values()) u.destroy();
    this.uniforms.clear();
  }
}
