/**
 * The dataset page end to end in chromium: real XQuAD-R files through the
 * file input and the parse worker into IndexedDB, then a reload that must
 * list them from the cache without parsing; broken files that must be
 * reported precisely while the stored dataset survives.
 *
 * Each test gets a fresh browser context (Playwright's default), i.e. an
 * empty IndexedDB; a reload stays in the same context.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const XQUAD_R = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/xquad-r');
const FILES = readdirSync(XQUAD_R).filter((f) => f.endsWith('.json')).sort().map((f) => join(XQUAD_R, f));

/** The published XQuAD-R table (../shared/data/README.md, from the LAReQA README). */
const CANDIDATES: Record<string, number> = {
  ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244, ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196,
};

async function importFiles(page: Page, files: string[]): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('pending-file')).toHaveCount(files.length);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
}

async function expectCounts(page: Page, langs: string[]): Promise<void> {
  const card = page.getByTestId('dataset');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('lang-row')).toHaveCount(langs.length);
  for (const lang of langs) {
    const row = card.locator(`[data-testid="lang-row"][data-lang="${lang}"]`);
    await expect(row.getByTestId('queries')).toHaveText('1,190');
    await expect(row.getByTestId('candidates')).toHaveText(CANDIDATES[lang]!.toLocaleString('en-US'));
  }
}

async function parseActivity(page: Page) {
  return page.evaluate(() => window.__polyglotLab);
}

test('XQuAD-R: 11 files in, the published table out, and again after a reload from IndexedDB', async ({ page }) => {
  expect(FILES).toHaveLength(11);
  await page.goto('/');
  await expect(page.getByTestId('empty-state')).toContainText('LAReQA JSON');
  await expect(page.getByTestId('storage-persistence')).not.toHaveAttribute('data-state', 'unknown');

  await page.getByTestId('file-input').setInputFiles(FILES);
  await expect(page.getByTestId('pending-file')).toHaveCount(11);
  // Each file's language comes from its name, before anything is parsed.
  for (const lang of Object.keys(CANDIDATES)) {
    await expect(page.locator(`[data-testid="pending-file"][data-name="${lang}.json"] [data-testid="pending-lang"]`)).toHaveValue(lang);
  }
  await page.getByTestId('dataset-name').fill('xquad-r');
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });

  await expectCounts(page, Object.keys(CANDIDATES));
  const card = page.getByTestId('dataset');
  await expect(card).toHaveAttribute('data-name', 'xquad-r');
  await expect(card.getByTestId('total-queries')).toHaveText('13,090');
  await expect(card.getByTestId('total-candidates')).toHaveText('13,014');
  await expect(card.getByTestId('relevant-per-query')).toContainText('11 / 11 / 11');
  await expect(card.getByTestId('dataset-source')).toHaveAttribute('data-source', 'import');
  await card.getByRole('button', { name: 'Show shards' }).click();
  await expect(card.getByTestId('shard-row')).toHaveCount(11);
  expect(await parseActivity(page)).toMatchObject({ workerStarted: true, imports: 1 });
  await expect(page.getByTestId('storage-usage')).toContainText('used of');

  if (process.env.UPDATE_SCREENSHOT) {
    // The README's picture shows the BM25 heatmap the import starts by itself.
    await expect(card.getByTestId('baseline')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
    await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
  }

  await page.reload();
  await expect(card.getByTestId('dataset-source')).toHaveAttribute('data-source', 'cache');
  await expect(card.getByTestId('dataset-source')).toHaveText('loaded from cache');
  await expectCounts(page, Object.keys(CANDIDATES));
  await expect(card.getByTestId('total-candidates')).toHaveText('13,014');
  // Listed from IndexedDB: the parse worker never started in this page.
  expect(await parseActivity(page)).toEqual({ workerStarted: false, probes: 0, imports: 0 });
});

/** LAReQA JSON whose only answer starts after every sentence break. */
const ANSWER_OUTSIDE = JSON.stringify({
  data: [{ title: 'T', paragraphs: [{
    context: 'One. Two.', sentences: ['One.', 'Two.'], sentence_breaks: [[0, 4], [5, 9]],
    qas: [{ id: 'q1', question: 'What?', answers: [{ text: 'x', answer_start: 42 }] }],
  }] }],
});

/** Drops files built in the page on the drop zone, as a drag from the desktop would. */
async function dropFiles(page: Page, files: { name: string; text: string }[]): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
    const zone = document.querySelector('[data-testid="drop-zone"]')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

test('broken files: specific messages, and the stored dataset stays intact', async ({ page }) => {
  await page.goto('/');
  const two = FILES.filter((f) => /\/(de|en)\.json$/.test(f));
  await importFiles(page, two);
  await expectCounts(page, ['de', 'en']);

  await dropFiles(page, [
    { name: 'xquad-r-es.json', text: '{"data": [{"title": "T", "paragraphs": [' },
    { name: 'xquad-r-fr.json', text: ANSWER_OUTSIDE },
  ]);
  await expect(page.getByTestId('pending-file')).toHaveCount(2);
  await expect(page.locator('[data-testid="pending-file"][data-name="xquad-r-fr.json"] [data-testid="pending-lang"]')).toHaveValue('fr');
  await page.getByTestId('import-button').click();

  const panel = page.getByTestId('error-panel');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  const items = panel.getByTestId('error-item');
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: 'xquad-r-es.json' })).toHaveAttribute('data-code', 'invalid-json');
  const outside = items.filter({ hasText: 'xquad-r-fr.json' });
  await expect(outside).toHaveAttribute('data-code', 'answer-outside-sentences');
  await expect(outside).toContainText('data[0].paragraphs[0].qas[0].answers[0].answer_start');
  await expect(panel).toContainText('Nothing was stored');

  // Still exactly the first dataset, in this page and after a reload.
  await expectCounts(page, ['de', 'en']);
  await page.reload();
  await expect(page.getByTestId('dataset-source')).toHaveAttribute('data-source', 'cache');
  await expectCounts(page, ['de', 'en']);
});

test('the same file twice is refused by name; removing a dataset empties the page for good', async ({ page }) => {
  await page.goto('/');
  const en = FILES.find((f) => f.endsWith('/en.json'))!;
  await importFiles(page, [en]);
  await expectCounts(page, ['en']);

  // Same bytes under another name, dropped as a folder would not be: a plain synthetic drop.
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(en, 'utf8');
  await dropFiles(page, [{ name: 'copy-of-en.json', text }, { name: 'en-again.json', text }]);
  await expect(page.getByTestId('pending-file')).toHaveCount(2);
  await page.getByTestId('import-button').click();
  const dup = page.getByTestId('error-item');
  await expect(dup).toHaveCount(1, { timeout: 30_000 });
  await expect(dup).toHaveAttribute('data-code', 'duplicate-shard');
  await expect(dup).toContainText('copy-of-en.json');
  await expect(dup).toContainText('en-again.json');

  await page.getByTestId('remove-dataset').click();
  await page.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('empty-state')).toBeVisible();
});

test('a folder: every shard in it is picked up with its path, the licence left out, the folder names the dataset; cancel stores nothing', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('folder-input').setInputFiles(XQUAD_R);
  await expect(page.getByTestId('pending-file')).toHaveCount(11);
  await expect(page.getByTestId('pending-file').first()).toContainText('xquad-r/ar.json');
  await expect(page.getByTestId('dataset-name')).toHaveValue('xquad-r');
  // Only looked at (format + language), not imported: nothing stored yet.
  expect(await parseActivity(page)).toMatchObject({ probes: 1, imports: 0 });
  await expect(page.getByTestId('empty-state')).toBeVisible();

  // Cancelled while parsing: nothing stored, the files stay listed for another try.
  await page.getByTestId('import-button').click();
  await page.getByTestId('cancel-import').click();
  await expect(page.getByTestId('notice')).toHaveText('Import cancelled; nothing was stored.', { timeout: 30_000 });
  await expect(page.getByTestId('pending-file')).toHaveCount(11);
  await expect(page.getByTestId('error-panel')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('empty-state')).toBeVisible();
});
