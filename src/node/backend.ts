/**
 * Node only (CLI, unit tests, bench): initialises a tfjs backend.
 * - cpu / wasm: wasm loads its `.wasm` files from node_modules.
 * - webgpu: tfjs-backend-webgpu on Dawn through the `webgpu` package (a dev
 *   dependency), the WebGPU implementation Chrome uses. On a machine with a
 *   GPU and its Vulkan driver that is the GPU (../shared/gpu/README.md);
 *   with no hardware adapter, Chromium's SwiftShader (software Vulkan, from
 *   Debian's chromium package) stands in, so WebGPU code is testable here.
 * Browser code uses initBackend with Vite `?url` paths instead.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LabError } from '../core/errors.ts';
import type { Backend } from '../core/run-config.ts';
import { initBackend, probeBackendEnv, type ActiveBackend } from '../core/tf/backend.ts';

export function nodeWasmDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in dist/, next to the .wasm files.
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

/** Chromium's SwiftShader Vulkan driver (Debian's chromium package). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

type GpuGlobal = { gpu?: { requestAdapter(): Promise<unknown> } };

/**
 * Puts Dawn's `navigator.gpu` (and the WebGPU globals tfjs-backend-webgpu
 * expects) on globalThis. Returns false when no adapter can be had.
 */
export async function installNodeWebGPU(): Promise<boolean> {
  let webgpu: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    throw new LabError('backend', `the webgpu package (Dawn for Node) cannot load: ${(e as Error).message}`, {}, 'npm ci (it is a dev dependency)');
  }
  Object.assign(globalThis, webgpu.globals);
  const install = (): GpuGlobal['gpu'] => {
    const gpu = webgpu.create([]) as GpuGlobal['gpu'];
    Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
    return gpu;
  };
  if (await install()?.requestAdapter().catch(() => null)) return true;
  // No hardware Vulkan driver: the loader reads the ICD list per instance, so SwiftShader can still be named now.
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    if (await install()?.requestAdapter().catch(() => null)) return true;
  }
  return false;
}

/** The WebGPU backend once made: Dawn aborts the process when a second instance or adapter is requested after the first. */
let webgpu: ActiveBackend | undefined;

export async function initNodeBackend(backend: Backend): Promise<ActiveBackend> {
  if (backend !== 'webgpu') return initBackend(backend, { env: { webgpu: 'none', wasm: true }, wasmPaths: nodeWasmDir() });
  if (webgpu && (await tf.setBackend('webgpu'))) return webgpu;
  webgpu = await initNodeWebGPU();
  return webgpu;
}

async function initNodeWebGPU(): Promise<ActiveBackend> {
  if (!(await installNodeWebGPU())) {
    throw new LabError('backend', 'no WebGPU adapter: Dawn found no Vulkan driver', {},
      "a GPU with its Vulkan driver, or Debian's chromium (SwiftShader) and libvulkan1: apt-get install -y chromium libvulkan1");
  }
  const env = await probeBackendEnv();
  const active = await initBackend('webgpu', { env, wasmPaths: nodeWasmDir() });
  if (active.backend !== 'webgpu') throw new LabError('backend', `WebGPU could not start (${active.reason})`);
  return active;
}
