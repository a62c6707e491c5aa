/**
 * Records a training step's work — buffer clears, dispatches, copies — and
 * submits it as one command buffer with one compute pass per run of
 * dispatches. Each dispatch gets a 256-byte slot of one uniform buffer
 * (written once per submit) and a bind group. Pipelines are compiled once per
 * device and WGSL variant. Dispatches are counted per phase: the bench's
 * launch counts.
 */
import { packUniforms, UNIFORM_SLOT_BYTES, wgslOf, type KernelDef } from './kernels/kernel.ts';
import { USAGE, type GpuBuffer, type GpuDevice, type GpuPipeline } from './gpu.ts';

export type Phase = 'forward' | 'backward' | 'optimizer';
export type LaunchCounts = Record<Phase, number>;

type Op =
  | { kind: 'dispatch'; pipeline: GpuPipeline; buffers: GpuBuffer[]; groups: [number, number, number]; slot: number }
  | { kind: 'copy'; src: GpuBuffer; srcOff: number; dst: GpuBuffer; dstOff: number; bytes: number }
  | { kind: 'clear'; buf: GpuBuffer; bytes: number };

const pipelineCache = new WeakMap<GpuDevice, Map<string, GpuPipeline>>();

export class Recorder {
  private ops: Op[] = [];
  private uniforms: Uint32Array[] = [];
  private uniformBuf: GpuBuffer | undefined;
  counts: LaunchCounts = { forward: 0, backward: 0, optimizer: 0 };

  constructor(private readonly device: GpuDevice) {}

  private pipeline(def: KernelDef): GpuPipeline {
    let cache = pipelineCache.get(this.device);
    if (!cache) pipelineCache.set(this.device, (cache = new Map()));
    let p = cache.get(def.name);
    if (!p) {
      const module = this.device.createShaderModule({ code: wgslOf(def) });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      cache.set(def.name, p);
    }
    return p;
  }

  /** Records one dispatch; buffers in the order of def.bindings. */
  dispatch(def: KernelDef, u: Readonly<Record<string, number>>, buffers: GpuBuffer[], groups: readonly number[], phase: Phase): void {
    if (buffers.length !== def.bindings.length) throw new Error(`${def.name}: ${buffers.length} buffers for ${def.bindings.length} bindings`);
    const [x = 1, y = 1, z = 1] = groups;
    if (x === 0 || y === 0 || z === 0) return;
    this.uniforms.push(packUniforms(def, u));
    this.ops.push({ kind: 'dispatch', pipeline: this.pipeline(def), buffers, groups: [x, y, z], slot: this.uniforms.length - 1 });
    this.counts[phase]++;
  }

  copy(src: GpuBuffer, srcOff: number, dst: GpuBuffer, dstOff: number, bytes: number): void {
    if (bytes > 0) this.ops.push({ kind: 'copy', src, srcOff, dst, dstOff, bytes });
  }

  clear(buf: GpuBuffer, bytes: number = buf.size): void {
    this.ops.push({ kind: 'clear', buf, bytes });
  }

  /** Encodes and submits everything recorded since the last submit. */
  submit(): void {
    const d = this.device;
    const need = Math.max(1, this.uniforms.length) * UNIFORM_SLOT_BYTES;
    if (!this.uniformBuf || this.uniformBuf.size < need) {
      this.uniformBuf?.destroy();
      this.uniformBuf = d.createBuffer({ size: Math.max(need, 64 * UNIFORM_SLOT_BYTES), usage: USAGE.UNIFORM | USAGE.COPY_DST });
    }
    if (this.uniforms.length) {
      const all = new Uint32Array((this.uniforms.length * UNIFORM_SLOT_BYTES) / 4);
      this.uniforms.forEach((u, i) => all.set(u, (i * UNIFORM_SLOT_BYTES) / 4));
      d.queue.writeBuffer(this.uniformBuf, 0, all);
    }
    const enc = d.createCommandEncoder();
    let pass: ReturnType<typeof enc.beginComputePass> | undefined;
    for (const op of this.ops) {
      if (op.kind === 'dispatch') {
        pass ??= enc.beginComputePass();
        pass.setPipeline(op.pipeline);
        pass.setBindGroup(0, d.createBindGroup({
          layout: op.pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: this.uniformBuf, offset: op.slot * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES } },
            ...op.buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
          ],
        }));
        pass.dispatchWorkgroups(...op.groups);
        continue;
      }
      pass?.end();
      pass = undefined;
      if (op.kind === 'copy') enc.copyBufferToBuffer(op.src, op.srcOff, op.dst, op.dstOff, op.bytes);
      else enc.clearBuffer(op.buf, 0, op.bytes);
    }
    pass?.end();
    d.queue.submit([enc.finish()]);
    this.ops = [];
    this.uniforms = [];
  }

  resetCounts(): void {
    this.counts = { forward: 0, backward: 0, optimizer: 0 };
  }

  dispose(): void {
    this.uniformBuf?.destroy();
    this.uniformBuf = undefined;
  }
}

/** A 1-D grid of `n` workgroups, split over y past the per-dimension limit. */
export function grid(n: number, limit = 65535): [number, number] {
  const x = Math.min(n, limit);
  return [x, Math.ceil(n / x)];
}
