/**
 * Dense evaluation in chromium: all of XQuAD-R imported through the file
 * input, the tiny BERT loaded through the mock hub, "Evaluate" run in the
 * model worker (tfjs wasm, as the page picks on a software WebGPU adapter).
 * Every heatmap cell, the multilingual column and the rank distances must
 * equal `lab eval`'s results on the same files in Node to 1e-5. A second
 * evaluation must come from the embedding cache; a reload shows the dense
 * heatmap without running anything; a cancelled run stores nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_MODELS_DIR, generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { ensureTinyModels, loadTinyBert } from '../support/tiny-model-page.ts';
import { quietly } from '../support/quiet.ts';
import { run as evalCommand } from '../../src/cli/commands/eval.ts';
import { parseResults, type EvalResults } from '../../src/core/eval/results.ts';

const XQUAD = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/xquad-r');
const FILES = readdirSync(XQUAD).filter((f) => f.endsWith('.json')).sort().map((f) => join(XQUAD, f));

let hub: MockHub | undefined;
let expected: EvalResults;

test.beforeAll(async () => {
  await ensureTinyModels();
  hub = await startMockHub({ repos: generatedRepos() });
  // The reference: the command line on the same files, same model, same backend.
  const out = join(mkdtempSync(join(tmpdir(), 'dense-eval-')), 'results.json');
  expect(await quietly(() => evalCommand(['--model', join(GENERATED_MODELS_DIR, 'tiny-bert'), ...FILES, '--out', out, '--backend', 'wasm']))).toBe(0);
  expected = parseResults(readFileSync(out, 'utf8'));
});
test.afterAll(async () => { await hub?.close(); });


async function compareHeatmap(page: Page): Promise<number> {
  const section = page.getByTestId('dense-results');
  await expect(section).toHaveCount(1);
  await expect(section).toHaveAttribute('data-model', 'test-org/tiny-bert@main');
  const langs = expected.counts.languages;
  let cells = 0;
  const value = async (id: string) => Number(await section.getByTestId(id).getAttribute('data-value'));
  for (const x of langs) {
    for (const y of langs) {
      const want = x === y ? expected.settings.mono!.pairs[`${x}-${y}`]! : expected.settings.cross!.pairs[`${x}-${y}`]!;
      expect(Math.abs((await value(`heat-${x}-${y}`)) - want.map), `${x}-${y}`).toBeLessThan(1e-5);
      cells++;
    }
    expect(Math.abs((await value(`heat-${x}-all`)) - expected.settings.multi!.pairs[`${x}-all`]!.map)).toBeLessThan(1e-5);
    expect(Math.abs((await value(`bias-${x}`)) - expected.languageBias!.byQueryLang[x]!)).toBeLessThan(1e-5 * Math.max(1, expected.languageBias!.byQueryLang[x]!));
    cells += 2;
  }
  for (const s of ['mono', 'cross', 'multi'] as const) {
    await expect(section.getByTestId(`macro-${s}`)).toHaveText(expected.settings[s]!.macro.map.toFixed(3));
  }
  return cells;
}

test('evaluates the tiny model on all of XQuAD-R: every cell equals lab eval; cached re-run; reload; cancel stores nothing', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(`/?hub=${encodeURIComponent(hub!.url)}`);
  await page.getByTestId('file-input').setInputFiles(FILES);
  await expect(page.getByTestId('pending-file')).toHaveCount(11);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });
  await loadTinyBert(page);

  await expect(page.getByTestId('evaluate-dataset')).toHaveCount(1);
  await expect(page.getByTestId('evaluate-max-length')).toHaveValue('62');
  await expect(page.getByTestId('evaluate-query-prefix')).toHaveValue('query: ');
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('evaluate-progress')).toBeVisible();
  await expect(page.getByTestId('evaluate-progress')).toContainText(/texts\/s|queries\/s/, { timeout: 120_000 });
  await expect(page.getByTestId('evaluate-last')).toHaveAttribute('data-from-cache', 'false', { timeout: 480_000 });
  expect(await compareHeatmap(page)).toBe(11 * 13);
  if (process.env.UPDATE_SCREENSHOT) {
    // The README's picture: the model's section on the dataset card, below the BM25 baseline.
    await page.getByTestId('dense-results').scrollIntoViewIfNeeded();
    await page.getByTestId('dense-results').screenshot({ path: 'docs/dense-heatmap.png' });
  }

  // Second evaluation: nothing re-embedded.
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('evaluate-last')).toHaveAttribute('data-from-cache', 'true', { timeout: 300_000 });
  await expect(page.getByTestId('evaluate-last')).toContainText('embeddings from the cache');
  await compareHeatmap(page);

  // A reload draws the dense heatmap from IndexedDB, with no model loaded.
  await page.reload();
  await expect(page.getByTestId('dense-results')).toHaveAttribute('data-source', 'cache', { timeout: 60_000 });
  await compareHeatmap(page);

  // Cancel with another prefix (a new cache entry): the notice says nothing was stored; the cached results stay.
  await loadTinyBert(page);
  await page.getByTestId('evaluate-query-prefix').fill('');
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('evaluate-progress')).toContainText('embedding', { timeout: 60_000 });
  await page.getByTestId('evaluate-cancel').click();
  await expect(page.getByTestId('evaluate-notice')).toContainText('cancelled; nothing was stored', { timeout: 60_000 });
  await expect(page.getByTestId('dense-results')).toHaveCount(1);
  expect(await storedEmbeddings(page)).toBe(2); // the first run's queries and passages; nothing of the cancelled one

  // Removing the dataset drops its embeddings (and its results).
  await page.getByTestId('remove-dataset').click();
  await page.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('dataset')).toHaveCount(0);
  await expect.poll(() => storedEmbeddings(page)).toBe(0);
});

function storedEmbeddings(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((ok, fail) => {
    const req = indexedDB.open('polyglot-lab-embedding-cache');
    req.onerror = () => fail(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const c = db.transaction('embeddings').objectStore('embeddings').count();
      c.onsuccess = () => { ok(c.result); db.close(); };
    };
  }));
}
