/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { tfjsWasmThreads } from './scripts/vite-plugin-tfjs-wasm-threads.ts';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// One config for the app (vite), its workers (ES module workers) and the Node unit tests (vitest).
export default defineConfig({
  plugins: [svelte(), tfjsWasmThreads()],
  // Worker bundles are built apart from the page's and need the same patch (that is where tfjs runs).
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  // Every dependency the page and its workers import, declared up front: otherwise the dev server discovers
  // fflate or @xenova/transformers only when a model loads, re-optimizes, and reloads the page under the user.
  optimizeDeps: {
    include: [
      'comlink', 'idb', 'zod', 'fflate', '@xenova/transformers',
      '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-cpu',
    ],
  },
  // Cross-origin isolation: SharedArrayBuffer, so tfjs's wasm backend can load its threaded SIMD module.
  // A static host must send the same two headers (README, "Deploying").
  server: { port: 5173, strictPort: false, headers: ISOLATION },
  preview: { port: 4173, headers: ISOLATION },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
  },
});
