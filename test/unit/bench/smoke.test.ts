/**
 * CI runs the benchmarks only like this (figures come from `npm run bench`):
 * `npm run bench -- --smoke` runs every suite on tiny inputs, and
 * `npm run bench -- train --backends webgpu,wasm --smoke` still runs, and
 * prints the line a script reads for each shape and backend:
 *   launches per step: <shape> <backend> <forward> <backward> <optimizer> <total>
 * with the fast path under 300 launches on WebGPU (a 2-layer model here: the
 * 12-layer count is the same formula, checked in fast-step.test.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { installNodeWebGPU } from '../../../src/node/backend.ts';
import { runProcess } from '../../support/run-process.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const available = await installNodeWebGPU().catch(() => false);

it('every suite still runs (bench --smoke)', async () => {
  const r = await runProcess(join(ROOT, 'node_modules/.bin/tsx'), ['bench/run.ts', '--smoke', '--no-report'], { cwd: ROOT, timeoutMs: 300_000 });
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  // Each of the nine suites states the machine its figures come from.
  expect(r.stdout.match(/^machine: /gm)).toHaveLength(9);
  // The store suite ran in chromium's IndexedDB (CI has it) or says why it did not.
  expect(r.stdout).toMatch(/^store: [\d.]+ MB\/s parse \+ store, [\d.]+× parse alone$|^store: skipped, no chromium/m);
  expect(r.stdout).toMatch(/^tokenize: \d+ tokens\/s in a worker thread$/m);
  expect(r.stdout).toMatch(/^\| 2× \| 2 \| \d+ \| \d+ \|/m); // the scale table's second row
  // The threads suite ran in chromium (CI has it) or says why it did not.
  expect(r.stdout).toMatch(/^wasm threads: \d+ threads [\d.]+× one thread|^threads: skipped, no chromium/m);
  expect(r.stdout).toMatch(/^launches per step: tiny wasm \d+ \d+ \d+ \d+$/m);
  expect(r.stdout).toMatch(/hub download: .* MB\/s/);
}, 320_000);

it('bench train --smoke runs and prints readable launch counts', async () => {
  const backends = available ? 'webgpu,wasm' : 'wasm';
  const r = await runProcess(join(ROOT, 'node_modules/.bin/tsx'), ['bench/run.ts', 'train', '--backends', backends, '--smoke', '--no-report'], { cwd: ROOT, timeoutMs: 300_000 });
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  expect(r.stdout).toMatch(/^machine: .+ cores/m);
  const lines = [...r.stdout.matchAll(/^launches per step: (\S+) (\S+) (\d+) (\d+) (\d+) (\d+)$/gm)].map((m) => ({
    shape: m[1], backend: m[2], counts: [m[3], m[4], m[5]].map(Number), total: Number(m[6]),
  }));
  expect(lines.map((l) => `${l.shape} ${l.backend}`)).toEqual(backends.split(',').map((b) => `tiny ${b}`));
  for (const l of lines) expect(l.total).toBe(l.counts.reduce((a, b) => a + b, 0));
  if (available) {
    const gpu = lines.find((l) => l.backend === 'webgpu')!;
    expect(gpu.total).toBeLessThan(300);
    expect(r.stdout).toMatch(/tiny: the fast path's step is [\d.]+× faster than the tfjs-webgpu step/);
  }
}, 320_000);
