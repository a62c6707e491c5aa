/**
 * "Export model" end to end in chromium: a tiny BERT loads through the mock hub,
 * the page embeds a sentence, Export downloads `<name>-polyglot-lab.zip`; the test
 * unzips it (fflate), checks the Hugging Face / sentence-transformers layout, loads
 * the folder in this Node process with the lab's own loader (tokenizer from the
 * exported tokenizer.json) and gets the page's embedding back to 1e-5. A float16
 * export is smaller and stored as F16. (That PyTorch loads an export is checked by
 * test/unit/encoder/export-pytorch.test.ts.)
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';
import { parseSafetensors } from '../../src/core/encoder/safetensors.ts';
import { embedTexts, loadTextModel } from '../../src/core/tokenize/text-model.ts';
import { initNodeBackend } from '../../src/node/backend.ts';

const SENTENCE = 'Wie viele Punkte gab die Verteidigung der Panthers ab?';
const FOLDER = 'tiny-bert-polyglot-lab/';

let hub: MockHub | undefined;

test.beforeAll(async () => {
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
});
test.afterAll(async () => { await hub?.close(); });

/** Clicks Export and returns the downloaded zip's files, paths relative to the folder inside it. */
async function exportZip(page: Page): Promise<{ name: string; bytes: number; files: Map<string, Uint8Array> }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('model-export-button').click()]);
  const zip = new Uint8Array(await readFile((await download.path())!));
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of Object.entries(unzipSync(zip))) {
    expect(path.startsWith(FOLDER), `${path} is inside ${FOLDER}`).toBe(true);
    if (!path.endsWith('/')) files.set(path.slice(FOLDER.length), bytes);
  }
  await expect(page.getByTestId('model-export-done')).toHaveAttribute('data-file', download.suggestedFilename());
  return { name: download.suggestedFilename(), bytes: zip.byteLength, files };
}

test('exports the loaded model as a zipped Hugging Face folder that loads back with the same embeddings', async ({ page }) => {
  hub = await startMockHub({ repos: generatedRepos() });
  await page.goto(`/?hub=${encodeURIComponent(hub.url)}`);
  await page.getByTestId('model-id').fill('test-org/tiny-bert');
  await page.getByTestId('model-revision').fill('main');
  await page.getByTestId('model-load').click();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('model-try-input').fill(SENTENCE);
  await page.getByTestId('model-try-button').click();
  const out = page.getByTestId('model-try-output');
  await expect(out).toHaveAttribute('data-dim', '32', { timeout: 60_000 });
  const shown = JSON.parse((await out.getAttribute('data-first'))!) as number[];

  const f32 = await exportZip(page);
  expect(f32.name).toBe('tiny-bert-polyglot-lab.zip');
  // What Transformers and sentence-transformers read.
  for (const f of ['config.json', 'model.safetensors', 'modules.json', '1_Pooling/config.json', 'config_sentence_transformers.json',
    'sentence_bert_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'README.md']) {
    expect(f32.files.has(f), f).toBe(true);
  }
  // Every export carries a model card in sentence-transformers' layout (the run's own card: test/unit/train/train-cli.test.ts).
  const card = new TextDecoder().decode(f32.files.get('README.md')!);
  expect(card).toMatch(/^---\nlibrary_name: "sentence-transformers"\npipeline_tag: "sentence-similarity"\n/);
  expect(card).toContain('# test-org/tiny-bert@main');
  expect(card).toContain('32-dimensional vectors (mean pooling');
  const modules = JSON.parse(new TextDecoder().decode(f32.files.get('modules.json')!)) as { type: string; path: string }[];
  expect(modules.map((m) => m.type.split('.').pop())).toEqual(['Transformer', 'Pooling', 'Normalize']);
  const st = parseSafetensors(f32.files.get('model.safetensors')!, 'model.safetensors');
  expect([...st.tensors.values()].every((t) => t.dtype === 'F32' && t.name.startsWith('bert.'))).toBe(true);
  await expect(page.getByTestId('model-export-done')).toContainText(`${f32.files.size} files`);

  // The exported folder, loaded by the lab's own loader in Node, embeds the sentence as the page did.
  await initNodeBackend('wasm');
  const model = await loadTextModel(async (p) => f32.files.get(p));
  const [ref] = await embedTexts(model, [SENTENCE]);
  model.encoder.dispose();
  shown.forEach((x, i) => expect(Math.abs(x - ref![i]!)).toBeLessThan(1e-5));
  expect(Math.hypot(...ref!)).toBeCloseTo(1, 5);

  // float16: half-size weights, still the same model to half precision.
  await page.getByTestId('model-export-dtype').selectOption('F16');
  const f16 = await exportZip(page);
  const st16 = parseSafetensors(f16.files.get('model.safetensors')!, 'model.safetensors');
  expect([...st16.tensors.values()].every((t) => t.dtype === 'F16')).toBe(true);
  expect(f16.files.get('model.safetensors')!.byteLength).toBeLessThan(0.51 * f32.files.get('model.safetensors')!.byteLength);
  const half = await loadTextModel(async (p) => f16.files.get(p));
  const [ref16] = await embedTexts(half, [SENTENCE]);
  half.encoder.dispose();
  shown.forEach((x, i) => expect(Math.abs(x - ref16![i]!)).toBeLessThan(1e-2));
});
