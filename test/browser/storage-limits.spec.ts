/**
 * Chromium refuses an IndexedDB value over about 133 MB when it is an ArrayBuffer ("The serialized keys and/or
 * value are too large"), which multilingual-e5-small's 470 MB weights, a large corpus's token ids or its
 * passage embeddings all are, and a fine-tuned model's checkpoint (weights and two Adam moments) is three times
 * its weights. The store keeps such payloads as Blobs (src/store/stored-bytes.ts): here 150 MB of each is
 * written and read back through the store's own code, in the real browser's IndexedDB.
 */
import { expect, test } from '@playwright/test';

test('a 150 MB model file, token ids, embedding matrix and training checkpoint are stored and read back', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/harness.html?suite=big-values&mb=150');
  type W = { __harnessResult?: unknown; __harnessError?: string };
  await page.waitForFunction(() => (window as unknown as W).__harnessResult !== undefined || (window as unknown as W).__harnessError !== undefined, null, { timeout: 100_000 });
  expect(await page.evaluate(() => (window as unknown as W).__harnessError)).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as W).__harnessResult)).toEqual({ bytes: 150e6, checkpoint: true, model: true, tokens: true, embeddings: true, warning: null });
});
