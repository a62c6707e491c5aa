/**
 * The model panel end to end in chromium: a tiny generated model through the
 * mock hub (real fetch, 302 redirects, CORS) into the model worker, one
 * progress bar reaching 100% with bytes, the backend shown with its reason,
 * an embedding computed; then a reload with the hub STOPPED (and its origin
 * blocked) that must load the same model from the IndexedDB cache and give
 * the same embedding. Also: a model folder picked from disk, and a clear
 * error for a missing model.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENERATED_MODELS_DIR, generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';

import { formatBytes } from '../../src/core/format.ts';
import { embedTexts, loadTextModel } from '../../src/core/tokenize/text-model.ts';
import { initNodeBackend } from '../../src/node/backend.ts';
import { nodeFolderProvider } from '../../src/cli/commands/embed.ts';

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(dir, e.name));
    else yield join(dir, e.name);
  }
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const SENTENCE = 'Wie viele Punkte gab die Verteidigung der Panthers ab?';

let hub: MockHub | undefined;

test.beforeAll(async () => {
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
});
test.afterAll(async () => { await hub?.close(); });

async function loadFromHub(page: Page, id: string): Promise<void> {
  await page.getByTestId('model-id').fill(id);
  await page.getByTestId('model-revision').fill('main');
  await page.getByTestId('model-load').click();
}

async function embedSentence(page: Page): Promise<number[]> {
  await page.getByTestId('model-try-input').fill(SENTENCE);
  await page.getByTestId('model-try-button').click();
  const out = page.getByTestId('model-try-output');
  await expect(out).toHaveAttribute('data-dim', '32', { timeout: 60_000 });
  expect(Number(await out.getAttribute('data-norm'))).toBeCloseTo(1, 4);
  return JSON.parse((await out.getAttribute('data-first'))!) as number[];
}

test('loads a tiny model through the mock hub, then again from the cache with the network off', async ({ page }) => {
  // Slow the transfer a little so the progress bar is seen moving.
  hub = await startMockHub({ repos: generatedRepos(), chunkSize: 256 * 1024, chunkDelayMs: 5 });
  const hubUrl = hub.url;
  await page.goto(`/?hub=${encodeURIComponent(hubUrl)}`);
  await expect(page.getByTestId('model-host')).toHaveValue(hubUrl);

  await loadFromHub(page, 'test-org/tiny-bert');
  const progress = page.getByTestId('model-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 120_000 });
  await expect(progress).toHaveAttribute('data-percent', '100');
  await expect(progress).toHaveAttribute('data-phase', 'done');
  // Every file of the repo the model needs (all but vocab.txt, which tokenizer.json supersedes), counted once.
  const needed = [...walk(join(GENERATED_MODELS_DIR, 'tiny-bert'))].filter((f) => !f.endsWith('vocab.txt'));
  const total = needed.reduce((s, f) => s + statSync(f).size, 0);
  const text = await page.getByTestId('model-progress-text').innerText();
  expect(text).toMatch(new RegExp(`^100% · ${esc(formatBytes(total))} of ${esc(formatBytes(total))} · [\\d.]+ [kMG]?B/s · ${needed.length}/${needed.length} files$`));
  await expect(page.getByTestId('model-downloaded')).toBeVisible();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-from-cache', 'false');
  // SwiftShader is a fallback adapter: wasm, and the page says why.
  const backend = page.getByTestId('model-backend');
  await expect(backend).toHaveAttribute('data-backend', 'wasm');
  await expect(backend).toContainText(/fallback|no WebGPU adapter/);
  expect(hub.requests.some((r) => r.status === 302 && r.path.includes('model.safetensors'))).toBe(true);
  const first = await embedSentence(page);
  // The same sentence through the same code under Node (wasm backend) gives the same numbers.
  await initNodeBackend('wasm');
  const model = await loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')));
  const [ref] = await embedTexts(model, [SENTENCE]);
  model.encoder.dispose();
  first.forEach((x, i) => expect(Math.abs(x - ref![i]!)).toBeLessThan(1e-5));

  // Network off: the hub process is gone and its origin is blocked for good measure.
  await hub.close();
  hub = undefined;
  await page.context().route(`${hubUrl}/**`, (r) => r.abort('internetdisconnected'));
  await page.reload();
  await loadFromHub(page, 'test-org/tiny-bert');
  await expect(page.getByTestId('model-from-cache')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-from-cache', 'true');
  await expect(page.getByTestId('model-progress')).toHaveAttribute('data-percent', '100');
  await expect(page.getByTestId('model-progress-text')).toContainText('from cache');
  const again = await embedSentence(page);
  expect(again).toEqual(first);

  // A model that was never cached cannot load offline, and the page says it is the network.
  await loadFromHub(page, 'test-org/tiny-xlmr');
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'network', { timeout: 30_000 });
  await expect(page.getByTestId('model-error')).toContainText('config.json');
});

test('says a model is missing or gated, loads a gated one with a token, and loads a model folder picked from disk', async ({ page }) => {
  const repos = generatedRepos();
  const own = await startMockHub({ repos: { ...repos, 'test-org/gated-xlmr': repos['test-org/tiny-xlmr']! }, gated: { 'test-org/gated-xlmr': 'hf_test' } });
  try {
    await page.goto(`/?hub=${encodeURIComponent(own.url)}`);
    await loadFromHub(page, 'test-org/no-such-model');
    const err = page.getByTestId('model-error');
    await expect(err).toHaveAttribute('data-code', 'model-not-found', { timeout: 30_000 });
    await expect(err).toContainText('"test-org/no-such-model"');
    await loadFromHub(page, 'test-org/gated-xlmr');
    await expect(err).toHaveAttribute('data-code', 'model-gated', { timeout: 30_000 });
    await expect(err).toContainText('Gated model');
    await page.getByTestId('model-token').fill('hf_test');
    await page.getByTestId('model-load').click();
    await expect(page.getByTestId('model-downloaded')).toBeVisible({ timeout: 60_000 });
    await expect(err).toHaveCount(0);
    // A device budget below the model's size: refused before the weights move, with both sizes.
    await page.goto(`/?hub=${encodeURIComponent(own.url)}&maxModelBytes=5000000`);
    const before = own.requests.length;
    await loadFromHub(page, 'test-org/tiny-bert');
    await expect(err).toHaveAttribute('data-code', 'model-too-large', { timeout: 30_000 });
    await expect(err).toContainText('Too large for this device');
    await expect(err).toContainText('4.8 MB');
    expect(own.requests.slice(before).some((r) => r.method === 'GET' && r.path.includes('model.safetensors'))).toBe(false);
  } finally {
    await own.close();
  }
  await page.getByTestId('model-folder').setInputFiles(join(GENERATED_MODELS_DIR, 'tiny-xlmr'));
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-source', 'folder', { timeout: 60_000 });
  await expect(page.getByTestId('model-label')).toHaveText('tiny-xlmr');
  await page.getByTestId('model-try-input').fill(SENTENCE);
  await page.getByTestId('model-try-button').click();
  await expect(page.getByTestId('model-try-output')).toHaveAttribute('data-dim', '24', { timeout: 60_000 });
});
