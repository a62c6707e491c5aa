/**
 * Cross-origin isolation and tfjs's threaded wasm module in the built page:
 * the preview server sends COOP/COEP (vite.config.ts), so the page and its
 * module workers get SharedArrayBuffer and tfjs loads the threaded SIMD
 * module; its pool threads must start after minification (before
 * scripts/vite-plugin-tfjs-wasm-threads.ts every one died with
 * "e is not defined" and the backend never initialised), and it must run as
 * many threads as there are cores (tfjs alone runs half). The suite runs a
 * training step with one thread and with the default count: same loss; the
 * times are reported, not asserted (figures belong to `npm run bench -- threads`).
 */
import { expect, test } from '@playwright/test';

interface Run { threads: number; ms: number; loss: number; backend: string; isolated: boolean }

test('the page is cross-origin isolated and the threaded wasm module starts in a module worker', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (/worker sent an error/.test(m.text())) errors.push(m.text()); });
  const wasmFiles: string[] = [];
  page.context().on('response', (r) => { if (r.url().endsWith('.wasm')) wasmFiles.push(new URL(r.url()).pathname); });
  await page.goto('/harness.html?suite=threads&reps=1&shape=small');
  type W = { __harnessResult?: unknown; __harnessError?: string };
  await page.waitForFunction(() => (window as unknown as W).__harnessResult !== undefined || (window as unknown as W).__harnessError !== undefined, null, { timeout: 120_000 });
  expect(await page.evaluate(() => (window as unknown as W).__harnessError)).toBeUndefined();
  const r = (await page.evaluate(() => (window as unknown as W).__harnessResult)) as { cores: number; isolated: boolean; one: Run; all: Run };
  expect(r.isolated).toBe(true);
  for (const run of [r.one, r.all]) {
    expect(run.backend).toBe('wasm');
    expect(run.isolated).toBe(true);
    expect(run.threads).toBeGreaterThanOrEqual(1);
    expect(run.ms).toBeGreaterThan(0);
  }
  // tfjs caps its pool at half the logical cores (one on a 2-core machine) unless src/core/tf/wasm-threads.ts
  // lifts the cap: every core asked for is a thread that runs.
  expect(r.one.threads).toBe(1);
  expect(r.all.threads).toBe(Math.min(8, r.cores));
  expect(r.all.loss).toBe(r.one.loss);
  expect(Number.isFinite(r.one.loss)).toBe(true);
  expect(wasmFiles.length).toBeGreaterThan(0);
  expect(wasmFiles.every((f) => /tfjs-backend-wasm-threaded-simd/.test(f))).toBe(true);
  expect(errors).toEqual([]);
  console.log(`wasm in a worker, ${r.cores} cores: 1 thread ${r.one.ms.toFixed(0)} ms; default (${r.all.threads} thread(s)) ${r.all.ms.toFixed(0)} ms`);
});
