/**
 * Tokenization and vocabulary trimming in chromium: XQuAD-R en imported
 * through the file input, the tiny BERT (real mBERT tokenizer, 119,547 rows)
 * loaded through the mock hub, every query and passage tokenized in the
 * tokenize worker; the counts must equal the Node tokenizer's on the same
 * file with the same options. A reload must serve the same numbers from the
 * IndexedDB token cache; trimming must keep exactly the distinct ids plus the
 * specials, and a sentence made of in-vocabulary words must embed as before.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_MODELS_DIR, generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';
import { parseShard } from '../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../src/core/dataset/shard-source.ts';
import { buildDataset } from '../../src/core/dataset/build.ts';
import { LabTokenizer } from '../../src/core/tokenize/tokenizer.ts';

const XQUAD = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/xquad-r');
const XQUAD_EN = join(XQUAD, 'en.json');
const XQUAD_DE = join(XQUAD, 'de.json');
const TINY_BERT = join(GENERATED_MODELS_DIR, 'tiny-bert');
/** tiny-bert: sentence_bert_config max_seq_length 62, prompts query: / passage: (config_sentence_transformers.json). */
const MAX_LENGTH = 62;

let hub: MockHub | undefined;

test.beforeAll(async () => {
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
  hub = await startMockHub({ repos: generatedRepos() });
});
test.afterAll(async () => { await hub?.close(); });

/** The expected numbers, computed here with the Node tokenizer on the same file (written independently of the app's stats code). */
async function expected(file = XQUAD_EN) {
  const name = file.split('/').at(-1)!;
  const ds = buildDataset([await parseShard(shardSourceFromBytes(name, new Uint8Array(await readFile(file))))]);
  const tok = await LabTokenizer.fromSource({ tokenizerJson: new Uint8Array(await readFile(join(TINY_BERT, 'tokenizer.json'))) });
  const texts = [...ds.queries.map((q) => `query: ${q.text}`), ...ds.passages.map((p) => `passage: ${p.title ? `${p.title} ${p.text}` : p.text}`)];
  let total = 0;
  let truncated = 0;
  const ids = new Set<number>();
  for (const t of texts) {
    const full = tok.encode(t, { maxLength: 100_000 });
    const kept = full.length > MAX_LENGTH ? [...full.slice(0, MAX_LENGTH - 1), full[full.length - 1]!] : full;
    if (full.length > MAX_LENGTH) truncated++;
    total += kept.length;
    for (const id of kept) ids.add(id);
  }
  const specials = [0, 100, 101, 102, 103]; // [PAD] [UNK] [CLS] [SEP] [MASK] of mBERT
  return {
    queries: ds.queries.length, passages: ds.passages.length, texts: texts.length, total, truncated, distinct: ids.size,
    rows: new Set([...ids, ...specials]).size, sentence: ds.queries[0]!.text, ids,
  };
}

async function importAs(page: Page, file: string, name: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles([file]);
  await expect(page.getByTestId('pending-file')).toHaveCount(1);
  await page.getByTestId('dataset-name').fill(name);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
  await expect(page.locator(`[data-testid="dataset"][data-name="${name}"]`)).toBeVisible();
}

/** Entries in the token cache's IndexedDB store. */
async function cachedEntries(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((ok, fail) => {
    const req = indexedDB.open('polyglot-lab-token-cache');
    req.onerror = () => fail(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const c = db.transaction('tokens').objectStore('tokens').count();
      c.onsuccess = () => { ok(c.result); db.close(); };
      c.onerror = () => fail(c.error);
    };
  }));
}

async function loadModel(page: Page): Promise<void> {
  await page.getByTestId('model-id').fill('test-org/tiny-bert');
  await page.getByTestId('model-revision').fill('main');
  await page.getByTestId('model-load').click();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
}

async function tokenize(page: Page) {
  await page.getByTestId('tokenize-button').click();
  const stats = page.getByTestId('tokenize-stats');
  await expect(stats).toBeVisible({ timeout: 60_000 });
  const attr = async (k: string) => (await stats.getAttribute(`data-${k}`))!;
  return {
    texts: Number(await attr('texts')), total: Number(await attr('total-tokens')), truncated: Number(await attr('truncated')),
    distinct: Number(await attr('distinct')), fromCache: await attr('from-cache'),
  };
}

async function embed(page: Page, sentence: string): Promise<number[]> {
  await page.getByTestId('model-try-input').fill(sentence);
  await page.getByTestId('model-try-prefix').selectOption('');
  const out = page.getByTestId('model-try-output');
  const button = page.getByTestId('model-try-button');
  await button.click();
  // The button is disabled while the worker embeds: enabled again = this sentence's answer is shown.
  await expect(button).toBeEnabled({ timeout: 30_000 });
  await expect(out).toHaveAttribute('data-dim', '32');
  return JSON.parse((await out.getAttribute('data-first'))!) as number[];
}

test('tokenizes XQuAD-R en in the worker, caches the ids, trims the vocabulary, embeddings unchanged', async ({ page }) => {
  const want = await expected();
  expect([want.queries, want.passages, want.texts]).toEqual([1190, 1180, 2370]);

  await page.goto(`/?hub=${encodeURIComponent(hub!.url)}`);
  await page.getByTestId('file-input').setInputFiles([XQUAD_EN]);
  await expect(page.getByTestId('pending-file')).toHaveCount(1);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });

  await loadModel(page);
  await expect(page.getByTestId('tokenize-max-length')).toHaveValue(String(MAX_LENGTH));
  await expect(page.getByTestId('tokenize-query-prefix')).toHaveValue('query: ');
  await expect(page.getByTestId('tokenize-passage-prefix')).toHaveValue('passage: ');
  const first = await tokenize(page);
  expect(first).toEqual({ texts: want.texts, total: want.total, truncated: want.truncated, distinct: want.distinct, fromCache: 'false' });
  await expect(page.getByTestId('tokenize-stats')).toContainText(`${want.texts.toLocaleString('en-US')} texts`);

  // Reload: the dataset comes from IndexedDB, the model from the model cache, the ids from the token cache.
  await page.reload();
  await loadModel(page);
  const again = await tokenize(page);
  expect(again).toEqual({ ...first, fromCache: 'true' });
  await expect(page.getByTestId('tokenize-from-cache')).toHaveText('from cache');

  const untrimmed = await embed(page, want.sentence);
  await page.getByTestId('trim-button').click();
  const trim = page.getByTestId('trim-result');
  await expect(trim).toBeVisible({ timeout: 30_000 });
  expect(Number(await trim.getAttribute('data-rows-before'))).toBe(119_547);
  expect(Number(await trim.getAttribute('data-rows-after'))).toBe(want.rows);
  expect(Number(await trim.getAttribute('data-table-bytes-before'))).toBe(119_547 * 32 * 4);
  expect(Number(await trim.getAttribute('data-table-bytes-after'))).toBe(want.rows * 32 * 4);
  await expect(trim).toContainText(`119,547 → ${want.rows.toLocaleString('en-US')}`);
  console.log(`XQuAD-R en, tiny-bert: ${want.texts} texts, ${want.total} tokens, ${want.truncated} truncated, ${want.distinct} distinct ids; ` +
    `trim: ${await trim.innerText()}`);

  // The first query of the file: every one of its tokens is kept, so its embedding must not change.
  const trimmed = await embed(page, want.sentence);
  trimmed.forEach((x, i) => expect(Math.abs(x - untrimmed[i]!)).toBeLessThan(1e-5));
  await expect(page.getByTestId('model-info')).toContainText(`vocabulary ${want.rows.toLocaleString('en-US')}, max length ${MAX_LENGTH}`);
});

test('several datasets: the union of their ids, a selection served from the cache, removal drops their cached ids', async ({ page }) => {
  const [en, de] = await Promise.all([expected(XQUAD_EN), expected(XQUAD_DE)]);
  await page.goto(`/?hub=${encodeURIComponent(hub!.url)}`);
  await importAs(page, XQUAD_EN, 'xq-en');
  await importAs(page, XQUAD_DE, 'xq-de');
  await loadModel(page);
  await expect(page.getByTestId('prepare-dataset')).toHaveCount(2);

  const both = await tokenize(page);
  expect(both).toEqual({
    texts: en.texts + de.texts, total: en.total + de.total, truncated: en.truncated + de.truncated,
    distinct: new Set([...en.ids, ...de.ids]).size, fromCache: 'false',
  });
  expect(await cachedEntries(page)).toBe(4); // 2 datasets × (queries, passages)

  await page.locator('[data-testid="prepare-dataset"][data-name="xq-en"]').uncheck();
  const onlyDe = await tokenize(page);
  expect(onlyDe).toEqual({ texts: de.texts, total: de.total, truncated: de.truncated, distinct: de.distinct, fromCache: 'true' });

  const card = page.locator('[data-testid="dataset"][data-name="xq-de"]');
  await card.getByTestId('remove-dataset').click();
  await card.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('dataset')).toHaveCount(1);
  await expect.poll(() => cachedEntries(page)).toBe(2);
  await expect(page.getByTestId('prepare-dataset')).toHaveCount(1);
});
