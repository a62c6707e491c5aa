/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the app (vite), its workers (ES module workers) and the Node unit tests (vitest).
export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  // Every dependency the page and its workers import, declared up front: otherwise the dev server discovers
  // fflate or @xenova/transformers only when a model loads, re-optimizes, and reloads the page under the user.
  optimizeDeps: {
    include: [
      'comlink', 'idb', 'zod', 'fflate', '@xenova/transformers',
      '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-cpu',
    ],
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173 },
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
  },
});
