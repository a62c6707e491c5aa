/**
 * Hard negatives in the page (chromium, the evaluate worker, real IndexedDB): an XQuAD-R slice imported, mined
 * with BM25 from its card; every pair's negatives and ranks equal the core's on the same files in this Node
 * process, the download is the core's pairs JSONL byte for byte, and after a reload the stored negatives are
 * shown again without mining.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatasetFromPaths } from '../../src/cli/load-files.ts';
import { bm25Model } from '../../src/core/bm25/search.ts';
import { mineHardNegatives, minedPairsJsonl } from '../../src/core/train/mine.ts';
import { buildTrainingPool } from '../../src/core/train/pool.ts';
import { writeXquadSlice } from '../support/xquad-slice.ts';

test('mines hard negatives from a dataset card, equal to the core, stored across a reload, downloadable', async ({ page }) => {
  test.setTimeout(180_000);
  const files = writeXquadSlice(mkdtempSync(join(tmpdir(), 'mining-')), { langs: ['de', 'en'], articles: 3 }).files;
  const ds = await loadDatasetFromPaths(files);
  const settings = { from: 3, to: 30, perPair: 2, seed: 7 };
  const want = await mineHardNegatives(buildTrainingPool(ds), [ds], bm25Model(), settings);

  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
  await expect(page.getByTestId('baseline')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const mined = page.getByTestId('mined');
  await mined.locator('summary').click();
  await page.getByTestId('mine-from').fill(String(settings.from));
  await page.getByTestId('mine-to').fill(String(settings.to));
  await page.getByTestId('mine-per-pair').fill(String(settings.perPair));
  await page.getByTestId('mine-seed').fill(String(settings.seed));
  await page.getByTestId('mine-run').click();
  await expect(page.getByTestId('mine-summary')).toHaveAttribute('data-pairs', String(want.pairs.length), { timeout: 60_000 });
  const first = page.getByTestId('mined-pair').first();
  await expect(first.locator('li')).toHaveCount(want.pairs[0]!.negatives.length);
  expect(await first.locator('li').evaluateAll((xs) => xs.map((x) => Number(x.getAttribute('data-rank'))))).toEqual(want.pairs[0]!.negatives.map((n) => n.rank));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('mine-download').click()]);
  expect(readFileSync((await dl.path())!, 'utf8')).toBe(minedPairsJsonl(want));

  await page.reload();
  await page.getByTestId('mined').locator('summary').click();
  await expect(page.getByTestId('mine-summary')).toHaveAttribute('data-pairs', String(want.pairs.length));
  await expect(page.getByTestId('mine-summary')).toContainText(`ranks ${settings.from}–${settings.to}, ${settings.perPair} per pair, seed ${settings.seed}`);
});
