/**
 * Node only (unit tests, bench, CLI): initialises cpu or wasm with the `.wasm`
 * files from node_modules. Browser code uses initBackend with Vite `?url` paths.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Backend } from '../run-config.ts';
import { initBackend, type ActiveBackend } from './backend.ts';

export function nodeWasmDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in dist/, next to the .wasm files.
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

export async function initNodeBackend(backend: Exclude<Backend, 'webgpu'>): Promise<ActiveBackend> {
  return initBackend(backend, { env: { webgpu: 'none', wasm: true }, wasmPaths: nodeWasmDir() });
}
