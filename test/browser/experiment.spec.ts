/**
 * An experiment file run in the page (Debian chromium, the model worker on tfjs
 * wasm): a slice of real XQuAD-R imported, then the experiment file and its
 * tokenizer.json chosen with no model loaded. The worker draws the generated
 * start model per seed, trains both samplers as stored runs (matched to the
 * stored dataset by shard hashes, although the file names its shards by path),
 * and the page shows the paper-layout table with the test against the
 * reference; both runs are listed and the generated model is the loaded one;
 * a share link of the comparison opens on the same table.
 * A wrong tokenizer is refused with the field named and nothing stored.
 * Pause and resume of an experiment are checked in Node
 * (test/unit/store/stored-experiment.test.ts).
 */
import { expect, test } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeXquadSlice } from '../support/xquad-slice.ts';

const TOKENIZER = fileURLToPath(new URL('../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

let files: string[];
let experiment: string;
let wrongTokenizer: string;

test.beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'experiment-page-'));
  files = writeXquadSlice(dir, { langs: ['de', 'en'], articles: 6 }).files;
  const shards = files.map((f) => ({ name: `data/${f.split('/').at(-1)}`, sha256: sha(f) }));
  experiment = join(dir, 'page-experiment.json');
  writeFileSync(experiment, JSON.stringify({
    version: 1, kind: 'experiment', name: 'page experiment', seeds: [5],
    samplers: [{ name: 'X-X', sampler: 'xx' }, { name: 'hybrid', sampler: 'hybrid', alpha: { kind: 'constant', alpha: 0.5 } }],
    run: {
      version: 1, kind: 'train', seed: 1, backend: 'wasm',
      model: { source: 'generated', architecture: { layers: 1, hidden: 16, heads: 2, intermediate: 32, maxPositions: 32 }, tokenizer: { name: 'tokenizer.json', sha256: sha(TOKENIZER) } },
      datasets: [{ name: 'slice', split: 'test', shards }],
      tokenization: { maxLength: 24, queryPrefix: '', passagePrefix: '' },
      eval: { settings: ['mono', 'cross', 'multi'], depth: 100, batchSize: 64 },
      train: { data: [{ name: 'slice', split: 'train', shards }], batchSize: 6, steps: 3, lr: 5e-3, warmupSteps: 1, checkpointEvery: 2, splitFractions: { train: 0.6, validation: 0.2, test: 0.2 } },
    },
  }));
  const wrong = mkdtempSync(join(tmpdir(), 'experiment-wrong-'));
  wrongTokenizer = join(wrong, 'tokenizer.json');
  writeFileSync(wrongTokenizer, '{"model": {}}');
});

test('runs an experiment file: both samplers trained as stored runs, the comparison table shown', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('pending-file')).toHaveCount(2);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });

  const details = page.getByTestId('experiment-details');
  await details.locator('summary').click();
  // The wrong tokenizer: refused, the field named, no run stored.
  await page.getByTestId('experiment-file-input').setInputFiles([experiment, wrongTokenizer]);
  await page.getByTestId('experiment-run').click();
  await expect(page.getByTestId('train-error')).toContainText('run.model.tokenizer', { timeout: 120_000 });
  await expect(page.getByTestId('train-run')).toHaveCount(0);

  await page.getByTestId('experiment-file-input').setInputFiles([experiment, TOKENIZER]);
  await expect(page.getByTestId('experiment-files')).toContainText('tokenizer.json');
  await page.getByTestId('experiment-run').click();
  await expect(page.getByTestId('experiment-status')).toContainText(/Run [12] of 2/, { timeout: 120_000 });
  await expect(page.getByTestId('train-notice')).toContainText('Experiment finished: 2 runs', { timeout: 540_000 });
  const table = page.getByTestId('experiment-table');
  await expect(table).toHaveCount(1);
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tr[data-sampler="X-X"] td').first()).toContainText(/\d+\.\d ± 0\.0 \([+−]\d+\.\d, p [\d.<\s]+/);
  await expect(table.locator('tr[data-sampler="hybrid"] th')).toContainText('ref.');
  await expect(page.getByTestId('train-run')).toHaveCount(2);
  await expect(page.getByTestId('train-run').first()).toHaveAttribute('data-status', 'done');
  // The worker holds the last run's model now: the model panel says so.
  await expect(page.getByTestId('model-info')).toContainText('generated-bert-L1-H16');

  // A share link carries the comparison: opened in a fresh page, the same table.
  const share = page.getByTestId('experiment-share');
  await share.getByTestId('share-copy').click();
  const url = await share.getByTestId('share-link').inputValue();
  expect(url).toMatch(/#share=[A-Za-z0-9_-]+$/);
  const cells = await table.locator('tbody td').allTextContents();
  const other = await page.context().newPage();
  await other.goto(url);
  const shared = other.getByTestId('shared-view');
  await expect(shared).toBeVisible();
  await expect(shared.getByTestId('experiment-table').locator('tbody td')).toHaveText(cells);
});
