/**
 * Training in the page (Debian chromium, the model worker on tfjs wasm): a
 * slice of real XQuAD-R imported, the tiny BERT loaded through the mock hub,
 * a hybrid run started from the Train panel; paused (a checkpoint in
 * IndexedDB), the page reloaded (the run is listed, paused, and asks for its
 * model), the model loaded again, the run resumed from its checkpoint and
 * finished; base and trained heatmaps shown side by side, with the languages
 * seen in training and the held-out one marked. Resume equality itself is
 * checked bit for bit in Node (test/unit/store/stored-training.test.ts).
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { ensureTinyModels, loadTinyBert } from '../support/tiny-model-page.ts';
import { writeXquadSlice } from '../support/xquad-slice.ts';

let hub: MockHub | undefined;
let files: string[];

test.beforeAll(async () => {
  await ensureTinyModels();
  hub = await startMockHub({ repos: generatedRepos() });
  files = writeXquadSlice(mkdtempSync(join(tmpdir(), 'train-slice-')), { langs: ['de', 'en', 'vi'], articles: 10 }).files;
});
test.afterAll(async () => { await hub?.close(); });


test('starts a run in the worker, pauses, survives a reload, resumes, finishes, and shows base and trained heatmaps', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(`/?hub=${encodeURIComponent(hub!.url)}`);
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('pending-file')).toHaveCount(3);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });
  await loadTinyBert(page);

  const form = page.getByTestId('train-form');
  await expect(form).toBeVisible();
  // The paper's defaults, scaled: hybrid, alpha 0.5, lr 3e-5.
  await expect(page.getByTestId('train-sampler')).toHaveValue('hybrid');
  await expect(page.getByTestId('train-alpha')).toHaveValue('0.5');
  await expect(page.getByTestId('train-lr')).toHaveValue('0.00003');

  // Bad input is refused before any step: alpha outside [0, 1].
  await page.getByTestId('train-alpha').fill('1.5');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-error')).toContainText('train.alpha', { timeout: 60_000 });
  await expect(page.getByTestId('train-run')).toHaveCount(0);

  await page.getByTestId('train-alpha').fill('0.5');
  await page.getByTestId('train-hold-vi').check();
  await page.getByTestId('train-batch-size').fill('6');
  await page.getByTestId('train-steps').fill('40');
  await page.getByTestId('train-lr').fill('0.005');
  await page.getByTestId('train-warmup').fill('1');
  await page.getByTestId('train-checkpoint-every').fill('2');
  await page.getByTestId('train-validate-every').fill('20');
  await page.getByTestId('train-max-length').fill('24');
  await page.getByTestId('train-start').click();

  const progress = page.getByTestId('train-progress');
  await expect(progress).toBeVisible();
  // Live: steps arrive with loss and alpha, and the charts draw them.
  await expect.poll(async () => Number(await progress.getAttribute('data-step')), { timeout: 240_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('train-chart').first()).toHaveAttribute('data-title', 'Loss');
  expect(Number(await page.getByTestId('train-last').getAttribute('data-loss'))).toBeGreaterThan(0);
  if (process.env.UPDATE_SCREENSHOT) await progress.screenshot({ path: 'docs/train-progress.png' });
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-notice')).toContainText(/Paused at step \d+/, { timeout: 120_000 });
  const run = page.getByTestId('train-run');
  await expect(run).toHaveAttribute('data-status', 'paused');
  const pausedAt = Number(await run.getAttribute('data-step'));
  expect(pausedAt).toBeGreaterThanOrEqual(3);
  expect(pausedAt).toBeLessThan(40);
  // The base model was evaluated before the first step.
  await expect(run.getByTestId('train-results')).toHaveCount(1);

  // A reload: the run is listed from IndexedDB, paused at its checkpoint, and asks for its model.
  await page.reload();
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'paused', { timeout: 60_000 });
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-step', String(pausedAt));
  await expect(page.getByTestId('train-resume-needs-model')).toBeVisible();
  await loadTinyBert(page);
  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('train-notice')).toContainText('Finished after 40 steps', { timeout: 300_000 });
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'done');

  // Base and trained side by side, every heatmap marking the languages seen in training.
  const base = page.locator('[data-testid="train-results"][data-which="base"]');
  const trained = page.locator('[data-testid="train-results"][data-which="trained"]');
  await expect(base.getByTestId('heatmap')).toHaveCount(1);
  await expect(trained.getByTestId('heatmap')).toHaveCount(1);
  for (const side of [base, trained]) {
    await expect(side.getByTestId('heat-col-de')).toHaveAttribute('data-training', 'seen');
    await expect(side.getByTestId('heat-col-vi')).toHaveAttribute('data-training', 'held-out');
    await expect(side.getByTestId('heat-training-legend')).toContainText('held out (vi)');
  }
  if (process.env.UPDATE_SCREENSHOT) await page.getByTestId('train-run').screenshot({ path: 'docs/train-results.png' });
  // Embedding maps of the same candidates before and after training, PCA and UMAP.
  await page.getByTestId('train-maps').locator('summary').click();
  await expect(page.getByTestId('train-maps').getByTestId('embedding-map')).toHaveCount(4);
  const map = async (side: typeof base) => Number(await side.getByTestId('heat-de-de').getAttribute('data-value'));
  expect(await map(trained)).not.toBe(await map(base));

  // Explore with the trained model (loaded) beside its base (loaded as the reference from the hub cache).
  const explorer = page.getByTestId('explorer');
  await explorer.getByTestId('explore-ref-id').fill('test-org/tiny-bert');
  await explorer.getByTestId('explore-ref-load').click();
  await expect(explorer.getByTestId('explore-ref-label')).toContainText('test-org/tiny-bert@main loaded', { timeout: 60_000 });
  await explorer.getByTestId('explore-text').fill('Wer gewann den Super Bowl?');
  await explorer.getByTestId('explore-search').click();
  await expect(explorer.getByTestId('explore-dense').getByTestId('hit')).toHaveCount(10, { timeout: 120_000 });
  await expect(explorer.getByTestId('explore-reference').getByTestId('hit')).toHaveCount(10, { timeout: 120_000 });
  const scores = (id: string) => explorer.getByTestId(id).locator('.score').allTextContents();
  expect(await scores('explore-dense')).not.toEqual(await scores('explore-reference'));

  // The dataset a finished run used can be removed; while a run needs it, it could not.
  await page.reload();
  await expect(page.getByTestId('train-run')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.locator('[data-testid="train-results"][data-which="trained"]').getByTestId('heatmap')).toHaveCount(1);
});
