/**
 * The one-click demo on an empty page (chromium, no external network): XQuAD-R served from a local copy over
 * a URL like its public one (de and en only, to stay quick), the encoder from the test server that mimics the
 * hub. The sizes are shown before anything is fetched; after confirming, the files are checked against the
 * manifest's SHA-256 and imported, BM25 and the encoder's evaluation run, and the page lands on the heatmaps
 * with the model loaded. A file whose bytes differ and a model the hub does not have each stop the demo with
 * the failed step and how to do it by hand.
 */
import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { ensureTinyModels } from '../support/tiny-model-page.ts';
import { XQUAD_R_DIR } from '../support/xquad-slice.ts';

let hub: MockHub | undefined;
let server: Server;
let base = '';

test.beforeAll(async () => {
  await ensureTinyModels();
  hub = await startMockHub({ repos: generatedRepos() });
  server = createServer((req, res) => {
    const m = /^\/(good|tampered)\/([a-z]{2})\.json$/.exec(req.url ?? '');
    if (!m) { res.writeHead(404, { 'access-control-allow-origin': '*' }); res.end(); return; }
    let body = readFileSync(join(XQUAD_R_DIR, `${m[2]}.json`));
    if (m[1] === 'tampered') body = Buffer.concat([body, Buffer.from(' ')]);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'access-control-allow-origin': '*' });
    res.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
test.afterAll(async () => { await hub?.close(); await new Promise<void>((done) => server.close(() => done())); });

const open = (page: Page, data: string, model = 'test-org/tiny-bert') =>
  page.goto(`/?demo-data=${encodeURIComponent(`${base}/${data}/`)}&demo-langs=de,en&demo-model=${encodeURIComponent(model)}&hub=${encodeURIComponent(hub!.url)}`);

test('Try it: sizes first, then the checked data, BM25, the encoder\'s evaluation and the heatmaps', async ({ page }) => {
  test.setTimeout(300_000);
  await open(page, 'good');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await page.getByTestId('demo-try').click();
  const demo = page.getByTestId('demo');
  await expect(demo).toHaveAttribute('data-step', 'confirm');
  await expect(demo).toContainText(`2 files, 1.3 MB, from ${base}/good/`);
  await expect(demo).toContainText('test-org/tiny-bert');
  await page.getByTestId('demo-confirm').click();
  await expect(page.getByTestId('demo-done')).toBeVisible({ timeout: 240_000 });
  const card = page.getByTestId('dataset');
  await expect(card.getByTestId('total-queries')).toHaveText('2,380');
  await expect(page.getByTestId('baseline')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('dense-results')).toHaveCount(1);
  await expect(page.getByTestId('model-info')).toContainText('test-org/tiny-bert');
});

test('a file whose bytes differ from the manifest, or a model the hub lacks, stops the demo and says what to do by hand', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, 'tampered');
  await page.getByTestId('demo-try').click();
  await page.getByTestId('demo-confirm').click();
  const err = page.getByTestId('demo-error');
  await expect(err).toHaveAttribute('data-step', 'dataset', { timeout: 60_000 });
  await expect(err).toContainText('SHA-256');
  await expect(err).toContainText('By hand: download the files');
  await expect(err.locator('a')).toHaveCount(2);
  await expect(page.getByTestId('dataset')).toHaveCount(0); // nothing was imported

  await open(page, 'good', 'test-org/no-such-model');
  await page.getByTestId('demo-try').click();
  await page.getByTestId('demo-confirm').click();
  await expect(err).toHaveAttribute('data-step', 'model', { timeout: 120_000 });
  await expect(err).toContainText('load test-org/no-such-model in the model panel');
});
