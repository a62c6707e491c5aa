/**
 * The tfjs encoder on WebGPU in real chromium (SwiftShader adapter) against the
 * PyTorch golden fixture: pooled embeddings to 1e-4 and InfoNCE gradients to 1e-3
 * relative for tiny-bert (tape and checkpointed backward, and the WebGPU fast path's own kernels); embeddings
 * for tiny-xlmr (F16, CLS + Dense + Normalize) from tfjs and from the fast path.
 * Model files are served to the page with page.route from the generated folder.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/models');

interface Golden {
  n_queries: number;
  embeddings: number[][];
  loss: number;
  grads: Record<string, { shape: number[]; values: number[] }>;
}

test.beforeAll(async () => {
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
});

for (const [model, withGrads] of [['tiny-bert', true], ['tiny-xlmr', false]] as const) {
  test(`${model} on WebGPU matches PyTorch${withGrads ? ' (embeddings and gradients)' : ' (embeddings)'}`, async ({ page }) => {
    const golden = JSON.parse(await readFile(join(FIXTURES, `golden-${model}.json`), 'utf8')) as Golden;
    await page.route('**/__encoder-fixtures/**', async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^.*\/__encoder-fixtures\//, ''));
      const file = rel.startsWith('golden/') ? join(FIXTURES, rel.slice('golden/'.length)) : join(DEFAULT_OUT, rel);
      if (!file.startsWith(FIXTURES)) return route.fulfill({ status: 403 });
      const body = await readFile(file).catch(() => undefined);
      await route.fulfill(body ? { status: 200, body, contentType: 'application/octet-stream' } : { status: 404, body: 'not found' });
    });
    const q = new URLSearchParams({
      suite: 'encoder', backend: 'webgpu', model: `/__encoder-fixtures/${model}`,
      golden: `/__encoder-fixtures/golden/golden-${model}.json`, grads: withGrads ? '1' : '0',
    });
    await page.goto(`/harness.html?${q}`);
    type W = { __harnessResult?: unknown; __harnessError?: string };
    await page.waitForFunction(() => (window as unknown as W).__harnessResult !== undefined || (window as unknown as W).__harnessError !== undefined, null, { timeout: 150_000 });
    const err = await page.evaluate(() => (window as unknown as W).__harnessError);
    expect(err).toBeUndefined();
    const r = (await page.evaluate(() => (window as unknown as W).__harnessResult)) as {
      active: { backend: string; reason: string }; embeddings: number[][]; loss?: number; grads?: Record<string, number[]>;
      lossCheckpointed?: number; gradsCheckpointed?: Record<string, number[]>;
      fastEmbeddings: number[][]; lossFast?: number; gradsFast?: Record<string, number[]>;
    };
    expect(r.active.backend).toBe('webgpu');
    expect(r.embeddings.length).toBe(golden.embeddings.length);
    expect(r.fastEmbeddings.length).toBe(golden.embeddings.length);
    [...r.embeddings, ...r.fastEmbeddings].forEach((e, k) => {
      const i = k % golden.embeddings.length;
      const ref = golden.embeddings[i]!;
      expect(e.length).toBe(ref.length);
      expect(Math.max(...e.map((x, j) => Math.abs(x - ref[j]!)))).toBeLessThan(1e-4);
    });
    if (withGrads) {
      for (const [loss, grads] of [[r.loss, r.grads], [r.lossCheckpointed, r.gradsCheckpointed], [r.lossFast, r.gradsFast]] as const) {
        expect(Math.abs(loss! - golden.loss)).toBeLessThan(1e-4 * Math.max(1, golden.loss));
        for (const [name, ref] of Object.entries(golden.grads)) {
          const got = grads![name]!.slice(0, ref.values.length);
          const scale = Math.max(...ref.values.map(Math.abs));
          expect(Math.max(...got.map((x, j) => Math.abs(x - ref.values[j]!))) / scale, name).toBeLessThan(1e-3);
        }
      }
    }
  });
}
