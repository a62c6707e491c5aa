/**
 * What a new user met in the first version, each checked in chromium:
 * datasets picked as files are named after their languages and can be
 * renamed (downloads use the name); a one-language dataset says cross-lingual
 * and language bias need two languages; a file already stored elsewhere is
 * named; a stored dataset keeps its "loaded from cache" badge after another
 * import; a random binary called .jsonl.gz is "not valid gzip" and blocks
 * Import; the hidden file inputs are not tab stops.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const XQUAD_R = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/xquad-r');

test('names, renaming, one language, shared files, badges, bad gzip, tab order', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');

  // Hidden inputs are not tab stops: tabbing from the top reaches the visible buttons, never an input[type=file].
  const focused: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    focused.push(await page.evaluate(() => `${document.activeElement?.tagName}:${(document.activeElement as HTMLInputElement | null)?.type ?? ''}`));
  }
  expect(focused.filter((f) => f === 'INPUT:file')).toEqual([]);
  expect(focused).toContain('BUTTON:button');

  // One language, picked as a file: named after format and language; cross-lingual needs two languages.
  await page.getByTestId('file-input').setInputFiles([join(XQUAD_R, 'de.json')]);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toHaveText('Imported "lareqa-de" (1 shard).', { timeout: 60_000 });
  const de = page.locator('[data-testid="dataset"][data-name="lareqa-de"]');
  await expect(de).toContainText('1 language · 1 shard ·');
  await expect(de.getByTestId('baseline')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(de.getByTestId('macro-cross')).toHaveText('—');
  await expect(de.getByTestId('baseline-headline')).toContainText('needs two or more languages');
  await expect(de.getByTestId('macro-bias')).toHaveText('—');

  // Rename; the results download takes the new name.
  await de.getByTestId('rename-dataset').click();
  await de.getByTestId('rename-input').fill('XQuAD-R German');
  await de.getByTestId('rename-save').click();
  const renamed = page.locator('[data-testid="dataset"][data-name="XQuAD-R German"]');
  await expect(renamed.getByTestId('dataset-title')).toHaveText('XQuAD-R German');
  const [dl] = await Promise.all([page.waitForEvent('download'), renamed.getByTestId('export-results').click()]);
  expect(dl.suggestedFilename()).toBe('XQuAD-R_German.bm25.results.json');

  // After a reload the card is from the cache, and stays so after another import.
  await page.reload();
  await expect(renamed.getByTestId('dataset-source')).toHaveAttribute('data-source', 'cache');
  await page.getByTestId('file-input').setInputFiles([join(XQUAD_R, 'de.json'), join(XQUAD_R, 'en.json')]);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toHaveText('Imported "lareqa-de-en" (2 shards).', { timeout: 60_000 });
  // de.json's bytes are already stored in the renamed dataset: the import says so.
  await expect(page.locator('[data-testid="warning-item"][data-code="duplicate-shard"]')).toContainText('de.json the same bytes are already stored in dataset "XQuAD-R German"');
  await expect(renamed.getByTestId('dataset-source')).toHaveAttribute('data-source', 'cache');
  await expect(page.locator('[data-testid="dataset"][data-name="lareqa-de-en"]').getByTestId('dataset-source')).toHaveAttribute('data-source', 'import');

  // A random binary named .jsonl.gz: "not valid gzip", and Import stays disabled until it is left out.
  const dir = mkdtempSync(join(tmpdir(), 'bad-gz-'));
  const bad = join(dir, 'x.jsonl.gz');
  writeFileSync(bad, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  await page.getByTestId('file-input').setInputFiles([bad, join(XQUAD_R, 'zh.json')]);
  await expect(page.getByTestId('pending-file')).toHaveCount(2);
  await expect(page.getByTestId('pending-error')).toContainText('is named .gz but is not valid gzip');
  await expect(page.getByTestId('import-button')).toBeDisabled();
  await expect(page.getByTestId('unknown-format-note')).toBeVisible();
  await page.getByRole('button', { name: 'Leave out x.jsonl.gz' }).click();
  await expect(page.getByTestId('import-button')).toBeEnabled();
});

test('a multi-member gzip shard (cat a.gz b.gz) imports in the page as in Node', async ({ page }) => {
  const { gzipSync } = await import('node:zlib');
  const dir = mkdtempSync(join(tmpdir(), 'multi-gz-'));
  const corpus = join(dir, 'miracl-corpus-v1.0-de-0.jsonl.gz');
  writeFileSync(corpus, Buffer.concat([
    gzipSync('{"docid":"d1","title":"","text":"Berlin ist die Hauptstadt."}\n'),
    gzipSync('{"docid":"d2","title":"","text":"Paris ist eine Stadt."}\n'),
  ]));
  const topics = join(dir, 'topics.miracl-v1.0-de-dev.tsv');
  writeFileSync(topics, 'q1\tHauptstadt Berlin\n');
  const qrels = join(dir, 'qrels.miracl-v1.0-de-dev.tsv');
  writeFileSync(qrels, 'q1 Q0 d1 1\n');
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([corpus, topics, qrels]);
  await expect(page.getByTestId('pending-file')).toHaveCount(3);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
  await expect(page.locator('[data-testid="lang-row"][data-lang="de"] [data-testid="candidates"]')).toHaveText('2');
});

test('the page refuses a hostile id with the file and line, and stores nothing', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-id-'));
  const corpus = join(dir, 'miracl-corpus-v1.0-de-0.jsonl');
  writeFileSync(corpus, '{"docid":"d1","title":"","text":"eins"}\n{"docid":"d 2","title":"","text":"zwei"}\n');
  const topics = join(dir, 'topics.miracl-v1.0-de-dev.tsv');
  writeFileSync(topics, 'q1\tzwei\n');
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([corpus, topics]);
  await expect(page.getByTestId('pending-file')).toHaveCount(2);
  await page.getByTestId('import-button').click();
  const item = page.getByTestId('error-item');
  await expect(item).toContainText('docid "d 2" contains whitespace', { timeout: 60_000 });
  await expect(item).toContainText('miracl-corpus-v1.0-de-0.jsonl');
  await expect(item.getByTestId('error-line')).toHaveText(':2');
  await expect(page.getByTestId('dataset')).toHaveCount(0);
});
