/**
 * How many bytes of model files this device should accept before a download
 * starts (`model-too-large`). Weights are expanded to float32 in memory, and
 * training needs about 4x the weights (weights, gradients, two Adam moments),
 * so the budget is deliberately well below the device's memory:
 *   - wasm: tfjs-backend-wasm's heap is a 32-bit WebAssembly memory (at most
 *     4 GiB), so at most 2 GiB of files: LaBSE's 1.8 GB (mostly a 501k-row
 *     embedding table) still loads, and vocabulary trimming shrinks it after;
 *   - webgpu: limited by the largest single GPU buffer and by system memory;
 *   - everything: at most half of navigator.deviceMemory (which Chrome caps at 8 GB).
 */
import type { Backend } from '../run-config.ts';

const GiB = 1024 ** 3;

export interface DeviceFacts {
  backend: Backend;
  /** navigator.deviceMemory in GB, when the browser says. */
  deviceMemoryGB?: number | undefined;
  /** WebGPU adapter limits.maxBufferSize, when WebGPU runs. */
  maxBufferSize?: number | undefined;
}

export function modelByteBudget(d: DeviceFacts): number {
  const mem = d.deviceMemoryGB !== undefined && d.deviceMemoryGB > 0 ? (d.deviceMemoryGB * GiB) / 2 : 4 * GiB;
  const backendCap = d.backend === 'webgpu' ? Math.max(d.maxBufferSize ?? 2 * GiB, GiB) * 2 : 2 * GiB;
  return Math.min(mem, backendCap);
}
