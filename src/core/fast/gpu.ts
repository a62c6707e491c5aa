/**
 * The boundary between the WebGPU fast path and tfjs-backend-webgpu: the
 * device tfjs made, the GPU buffer behind a tensor, and a way to hand tfjs's
 * recorded work to the queue before ours is submitted (so the two stay in
 * order). The WebGPU types are declared structurally: src/core compiles
 * without the DOM and WebGPU type libraries.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';

export interface GpuBuffer {
  readonly size: number;
  destroy(): void;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
}
export interface GpuComputePass {
  setPipeline(p: GpuPipeline): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePass;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  clearBuffer(b: GpuBuffer, offset?: number, size?: number): void;
  finish(): unknown;
}
export interface GpuPipeline { getBindGroupLayout(i: number): unknown }
export interface GpuDevice {
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): GpuPipeline;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[] }): unknown;
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createCommandEncoder(): GpuCommandEncoder;
  queue: { writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView): void; submit(cmds: unknown[]): void };
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number; maxStorageBuffersPerShaderStage: number };
  features?: { has(name: string): boolean };
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}
export interface WebGpuBackendLike {
  device: GpuDevice;
  submitQueue(): void;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: unknown } };
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  commandEncoder: GpuCommandEncoder;
}

/** GPUBufferUsage and GPUMapMode values as numbers (no WebGPU globals in core). */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_MODE_READ = 0x1;

export function webgpuBackend(): WebGpuBackendLike {
  if (tf.getBackend() !== 'webgpu') throw new LabError('backend', `the WebGPU fast path needs the webgpu backend; ${tf.getBackend()} is active`);
  return tf.backend() as unknown as WebGpuBackendLike;
}

/** The GPU buffer holding a float32 tensor's values (uploaded first when tfjs still keeps them on the CPU). */
export function bufferOfTensor(backend: WebGpuBackendLike, t: tf.Tensor): GpuBuffer {
  if (t.dtype !== 'float32') throw new LabError('backend', `a ${t.dtype} tensor where the fast path needs float32`);
  backend.uploadToGPU(t.dataId);
  const r = backend.tensorMap.get(t.dataId).resource;
  if (!r || typeof (r as GpuBuffer).size !== 'number') throw new LabError('backend', 'a tensor is not held in a GPU buffer');
  return r as GpuBuffer;
}

/**
 * The GPU buffer of a tensor that is about to be written in place. tfjs caches a tensor's values on the
 * CPU once they have been read and then never reads the GPU again, so the cache is dropped here: without
 * this, a checkpoint taken after an in-place update would save the values of the previous read.
 */
export function writableBufferOfTensor(backend: WebGpuBackendLike, t: tf.Tensor): GpuBuffer {
  const b = bufferOfTensor(backend, t);
  backend.tensorMap.get(t.dataId).values = null;
  return b;
}

/** Submits what tfjs has recorded so far; our own command buffers submitted after it run after it. */
export function flushTfjs(backend: WebGpuBackendLike): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}
