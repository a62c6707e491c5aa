/**
 * Backend selection. The rule (../shared/docs/PLATFORM.md): WebGPU on a hardware
 * adapter; wasm when the adapter is a software fallback (SwiftShader is ~30x slower
 * than tfjs wasm) or missing; cpu only as a last resort. The reason is returned so
 * the UI / CLI can show which backend runs and why.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backend, BackendPreference } from '../run-config.ts';
import { LabError } from '../errors.ts';
import { wasmThreadCount, withThreadCap } from './wasm-threads.ts';

export type WebGPUAdapterKind = 'hardware' | 'fallback' | 'none';

export interface BackendEnv {
  webgpu: WebGPUAdapterKind;
  /** WebAssembly available (always true in current browsers and Node). */
  wasm: boolean;
  /** Adapter vendor/architecture/description, for the reason text. */
  adapterInfo?: string;
}

export interface BackendChoice {
  backend: Backend;
  /** One sentence for the user: why this backend. */
  reason: string;
}

export function chooseBackend(preference: BackendPreference, env: BackendEnv): BackendChoice {
  const adapter = env.adapterInfo ? ` (${env.adapterInfo})` : '';
  const cpuLast = (why: string): BackendChoice => ({ backend: 'cpu', reason: `${why}; WebAssembly is unavailable, using the slow cpu backend` });
  const wasmOr = (why: string): BackendChoice => (env.wasm ? { backend: 'wasm', reason: why } : cpuLast(why));
  switch (preference) {
    case 'cpu':
      return { backend: 'cpu', reason: 'cpu backend requested' };
    case 'wasm':
      return env.wasm ? { backend: 'wasm', reason: 'wasm backend requested' } : cpuLast('wasm backend requested');
    case 'webgpu':
      if (env.webgpu === 'hardware') return { backend: 'webgpu', reason: `WebGPU requested; hardware adapter${adapter}` };
      if (env.webgpu === 'fallback') {
        return { backend: 'webgpu', reason: `WebGPU requested; the adapter is a software fallback${adapter}, expect it to be much slower than wasm` };
      }
      return wasmOr('WebGPU requested but no WebGPU adapter is available; using wasm');
    case 'auto':
      if (env.webgpu === 'hardware') return { backend: 'webgpu', reason: `WebGPU on a hardware adapter${adapter}` };
      if (env.webgpu === 'fallback') {
        return wasmOr(`the WebGPU adapter is a software fallback${adapter}, about 30x slower than wasm; using wasm`);
      }
      return wasmOr('no WebGPU adapter; using wasm');
  }
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}

/** Looks at navigator.gpu (page, worker, or Node with the `webgpu` package). */
export async function probeBackendEnv(): Promise<BackendEnv> {
  const wasm = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object';
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(o?: unknown): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return { webgpu: 'none', wasm };
  let adapter: AdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { webgpu: 'none', wasm };
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ');
  const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(text);
  return { webgpu: fallback ? 'fallback' : 'hardware', wasm, ...(text ? { adapterInfo: text } : {}) };
}

export interface InitOptions {
  /** Where the tfjs-backend-wasm `.wasm` files are: a URL/path prefix ending in '/', or a map file name → URL. */
  wasmPaths?: string | Record<string, string>;
  /** Already probed environment (tests); probed when absent. */
  env?: BackendEnv;
  /**
   * Threads for the wasm backend where the page is cross-origin isolated (SharedArrayBuffer). tfjs's default
   * is half the cores (one on a 2-core laptop); the default here is every core: the training and evaluation
   * workers are what the page is waiting for.
   */
  wasmThreads?: number;
}

export interface ActiveBackend extends BackendChoice {
  /** Fallbacks taken when the chosen backend failed to initialise. */
  fallbacks: string[];
  /** Threads the wasm backend's pool really runs (tfjs's own count), on wasm only. */
  threads?: number;
}

/** Registers the needed backend module, switches tfjs to it and says why it was chosen. */
export async function initBackend(preference: BackendPreference, opts: InitOptions = {}): Promise<ActiveBackend> {
  const env = opts.env ?? (await probeBackendEnv());
  const choice = chooseBackend(preference, env);
  const order: Backend[] = choice.backend === 'webgpu' ? ['webgpu', 'wasm', 'cpu'] : choice.backend === 'wasm' ? ['wasm', 'cpu'] : ['cpu'];
  const fallbacks: string[] = [];
  for (const b of order) {
    try {
      const threads = await registerBackend(b, opts);
      const started = threads === undefined
        ? await startBackend(b)
        : await withThreadCap(threads, () => startBackend(b));
      if (started) {
        const reason = b === choice.backend ? choice.reason : `${choice.reason}; ${fallbacks.join('; ')}; using ${b}`;
        if (b !== 'wasm') return { backend: b, reason, fallbacks };
        const running = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
        return { backend: b, reason: `${reason} (${running} thread${running === 1 ? '' : 's'})`, fallbacks, threads: running };
      }
      fallbacks.push(`${b} failed to initialise`);
    } catch (e) {
      fallbacks.push(`${b} failed to initialise: ${(e as Error).message}`);
    }
  }
  throw new LabError('backend', `no tfjs backend could be initialised: ${fallbacks.join('; ')}`);
}

async function startBackend(b: Backend): Promise<boolean> {
  if (!(await tf.setBackend(b))) return false;
  await tf.ready();
  return true;
}

/** Imports the backend's module and configures it; returns the wasm thread count asked for (wasm only). */
async function registerBackend(b: Backend, opts: InitOptions): Promise<number | undefined> {
  if (b === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    return undefined;
  }
  if (b === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
    return undefined;
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (opts.wasmPaths !== undefined) wasm.setWasmPaths(opts.wasmPaths as string);
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const threads = wasmThreadCount(opts.wasmThreads, cores);
  wasm.setThreadsCount(threads);
  return threads;
}
