/** Browser-test steps shared by the specs that use the generated tiny BERT through the mock hub. */
import { expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';

/** Generates the tiny models unless the current generator's are already there. */
export async function ensureTinyModels(): Promise<void> {
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
}

/** Loads test-org/tiny-bert@main in the model panel and waits for it (on wasm, as the page picks on a software adapter). */
export async function loadTinyBert(page: Page): Promise<void> {
  await page.getByTestId('model-id').fill('test-org/tiny-bert');
  await page.getByTestId('model-revision').fill('main');
  await page.getByTestId('model-load').click();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('model-backend')).toHaveAttribute('data-backend', 'wasm');
}
