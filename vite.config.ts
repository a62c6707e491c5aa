/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the app (vite), its workers (ES module workers) and the Node unit tests (vitest).
export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
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
