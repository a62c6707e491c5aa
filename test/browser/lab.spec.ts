/**
 * The lab's views in Debian chromium: a slice of XQuAD-R with its BM25
 * heatmap, the tiny BERT evaluated, the heatmap's metric control, the
 * comparison of BM25 and the model (paper-style table with B − A and the
 * difference heatmap), a results file from `lab bm25` opened and compared,
 * a share link copied and opened in a fresh browser context (empty storage)
 * with the same numbers, a hostile link refused without touching storage,
 * and the dark theme. Screenshots at 900, 1280 and 1920 px are saved as
 * test artifacts.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedRepos, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { ensureTinyModels, loadTinyBert } from '../support/tiny-model-page.ts';
import { quietly } from '../support/quiet.ts';
import { writeXquadSlice } from '../support/xquad-slice.ts';
import { run as bm25Command } from '../../src/cli/commands/bm25.ts';
import type { EvalResults } from '../../src/core/eval/results.ts';

let hub: MockHub | undefined;
let files: string[];
let cliResults: string;

test.beforeAll(async () => {
  await ensureTinyModels();
  hub = await startMockHub({ repos: generatedRepos() });
  const dir = mkdtempSync(join(tmpdir(), 'lab-slice-'));
  files = writeXquadSlice(join(dir, 'data'), { langs: ['de', 'en', 'zh'], articles: 4 }).files;
  cliResults = join(dir, 'bm25.results.json');
  expect(await quietly(() => bm25Command([...files, '--out', cliResults]))).toBe(0);
});
test.afterAll(async () => { await hub?.close(); });

async function heatValues(scope: ReturnType<Page['locator']>): Promise<Record<string, number>> {
  const cells = scope.locator('[data-testid^="heat-"][data-value]');
  const out: Record<string, number> = {};
  for (const c of await cells.all()) {
    const id = (await c.getAttribute('data-testid'))!;
    const v = await c.getAttribute('data-value');
    if (v !== null && v !== '') out[id] = Number(v);
  }
  return out;
}

test('metric control, compare with significance, results files, share links in a fresh context, hostile links, themes', async ({ page, browser }, info) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/?hub=${encodeURIComponent(hub!.url)}`);
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });
  const card = page.getByTestId('dataset');
  await expect(card.getByTestId('heatmap')).toHaveCount(1, { timeout: 120_000 });

  // One control switches the heatmap's measure; the cells carry the results object's values.
  const cli = JSON.parse(readFileSync(cliResults, 'utf8')) as EvalResults;
  await card.getByTestId('heat-metric').selectOption('recall_10');
  await expect(card.getByTestId('heat-de-en')).toHaveAttribute('data-value', String(cli.settings.cross!.pairs['de-en']!.recall_10));
  await card.getByTestId('heat-metric').selectOption('rank_gap');
  await expect(card.getByTestId('heat-de-en')).toHaveAttribute('data-value', String(cli.languageBias!.pairs['de-en']!.meanRankGap));
  await card.getByTestId('heat-metric').selectOption('map');
  // Keyboard: a cell takes focus and its value and query count are read out.
  await card.getByTestId('heat-de-de').focus();
  await expect(card.getByTestId('heat-focused')).toContainText(/de queries → de candidates \(mono\): mAP 0\.\d{3} over \d+ queries/);
  await expect(card.getByTestId('language-groups')).toBeVisible();
  await expect(card.getByTestId('group-low-mono')).toHaveAttribute('data-value', ''); // de, en, zh are all high-resource by default

  // The tiny model, evaluated.
  await loadTinyBert(page);
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('dense-results')).toHaveCount(1, { timeout: 240_000 });

  // Drill-down: a cell lists its worst queries (as the results' per-query values say), a query opens its ranking.
  await card.locator('[data-testid="heatmap"]').first().getByTestId('heat-de-en').click();
  const drill = card.getByTestId('drill-down').first();
  await expect(drill).toHaveAttribute('data-pair', 'de-en');
  const worst = drill.getByTestId('drill-query');
  await expect(worst).toHaveCount(10);
  const cliDeEn = cli.perQuery!.values.map!['de-en']!.filter((v): v is number => v !== null).sort((x, y) => x - y);
  expect(Number(await worst.first().getAttribute('data-value'))).toBe(cliDeEn[0]);
  await expect(worst.first().locator('button')).not.toHaveText(/^de\//, { timeout: 30_000 }); // the query's text, not its id
  await worst.first().locator('button').click();
  const ranking = drill.getByTestId('drill-ranking');
  await expect(ranking.getByTestId('hit')).toHaveCount(5, { timeout: 60_000 });
  for (const h of await ranking.getByTestId('hit').all()) expect(await h.getAttribute('data-lang')).toBe('en');
  await expect(ranking.getByTestId('relevant-ranks')).toContainText('(en)');
  const counts = JSON.parse((await drill.getByTestId('drill-histogram').getAttribute('data-counts'))!) as number[];
  expect(counts.reduce((x, y) => x + y, 0)).toBe(cli.perQuery!.rankDistance!.de!.filter((v) => v !== null).length);
  if (process.env.UPDATE_SCREENSHOT) await drill.screenshot({ path: 'docs/drill-down.png' });
  await drill.getByTestId('drill-close').click();

  // The same in the model's results: its rankings come from the model worker (the loaded model is the results' model).
  const dense = page.getByTestId('dense-results');
  await dense.getByTestId('heat-en-all').click();
  const denseDrill = dense.getByTestId('drill-down');
  await expect(denseDrill).toHaveAttribute('data-pair', 'en-all');
  await denseDrill.getByTestId('drill-query').first().locator('button').click();
  await expect(denseDrill.getByTestId('drill-ranking').getByTestId('hit')).toHaveCount(5, { timeout: 60_000 });
  await denseDrill.getByTestId('drill-close').click();

  // Explore: one question, BM25 and the loaded model side by side, then only Chinese candidates.
  const explorer = page.getByTestId('explorer');
  await explorer.getByTestId('explore-text').fill('Wie viele Punkte erzielten die Broncos?');
  await explorer.getByTestId('explore-lang').selectOption('de');
  await explorer.getByTestId('explore-search').click();
  await expect(explorer.getByTestId('explore-bm25').getByTestId('hit')).toHaveCount(10, { timeout: 60_000 });
  await expect(explorer.getByTestId('explore-dense').getByTestId('hit')).toHaveCount(10, { timeout: 60_000 });
  await explorer.getByTestId('explore-only-zh').check();
  await explorer.getByTestId('explore-search').click();
  await expect.poll(async () => (await explorer.getByTestId('explore-bm25').getByTestId('hit').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-lang')))).join(','), { timeout: 60_000 })
    .toBe(new Array(10).fill('zh').join(','));

  // The embedding map of the pool by the loaded model: points of every language, texts on hover.
  await explorer.getByTestId('map-pca').click();
  const map = explorer.getByTestId('embedding-map');
  await expect(map).toHaveAttribute('data-method', 'pca', { timeout: 60_000 });
  expect(Number(await map.getAttribute('data-points'))).toBeGreaterThanOrEqual(3 * 50);
  expect(new Set(await map.locator('circle').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-lang'))))).toEqual(new Set(['de', 'en', 'zh']));
  await map.locator('circle').last().dispatchEvent('mouseenter');
  await expect(map.getByTestId('map-hover')).toContainText(/^(de|en|zh): ./);
  await explorer.getByTestId('map-umap').click();
  await expect(map).toHaveAttribute('data-method', 'umap', { timeout: 120_000 });

  // Compare BM25 (A) with the model (B).
  const panel = page.getByTestId('compare-panel');
  const optionValue = async (which: string, text: string) => (await panel.getByTestId(which).locator('option', { hasText: text }).first().getAttribute('value'))!;
  await panel.getByTestId('compare-a').selectOption(await optionValue('compare-a', 'BM25 ·'));
  await panel.getByTestId('compare-b').selectOption(await optionValue('compare-b', 'tiny-bert'));
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-table')).toBeVisible({ timeout: 120_000 });
  const denseMono = Number(await page.getByTestId('dense-results').getByTestId('macro-mono').textContent());
  const delta = await panel.getByTestId('compare-delta-mono').textContent();
  expect(delta).toMatch(/^[+−]\d\.\d{3}\*?$/);
  const d = Number(delta!.replace('−', '-').replace('*', ''));
  expect(Math.abs(d - (denseMono - cli.settings.mono!.macro.map))).toBeLessThan(0.0015);
  await expect(panel.getByTestId('compare-delta-mono')).toHaveAttribute('title', /paired randomization test over \d+ queries.*p = /);
  // The difference heatmap: 3 × 3 pairs and the multilingual column.
  await expect(panel.getByTestId('compare-heatmap').locator('td.cell[data-value]')).toHaveCount(12);

  if (process.env.UPDATE_SCREENSHOT) await panel.screenshot({ path: 'docs/compare.png' });
  // Exports: the comparison as Markdown, the heatmap as SVG and PNG, the results as CSV.
  const saved = async (click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> => {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), click()]);
    return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
  };
  const md = await saved(() => panel.getByTestId('compare-markdown').click());
  expect(md.bytes.toString()).toContain(`| B − A | ${delta} |`);
  const svg = await saved(() => panel.getByTestId('compare-heatmap').getByTestId('heat-svg').click());
  expect(svg.name).toMatch(/\.heatmap\.svg$/);
  expect(svg.bytes.toString()).toMatch(/^<svg xmlns/);
  const png = await saved(() => card.getByTestId('heat-png').first().click());
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  const csv = await saved(() => card.getByTestId('results-csv').first().click());
  expect(csv.bytes.toString().split('\n')[0]).toMatch(/^model,dataset,setting,query_lang,candidate_lang,map,/);
  // The model's TREC run (the loaded model is the results' model) and the matching qrels.
  const trec = await saved(() => page.getByTestId('dense-run').click());
  expect(trec.name).toMatch(/\.multi\.dense\.run\.trec$/);
  expect(trec.bytes.toString().split('\n')[0]).toMatch(/^\S+ Q0 \S+ 1 \S+ polyglot-lab\.dense-[0-9a-f]{12}\.multi$/);
  const qrelsFile = await saved(() => page.getByTestId('dense-qrels').click());
  expect(qrelsFile.bytes.toString().split('\n')[0]).toMatch(/^\S+ 0 \S+ 1$/);

  // A results file written by lab bm25, opened and compared with the page's BM25: no difference at all.
  await panel.getByTestId('results-file-input').setInputFiles(cliResults);
  await expect(page.getByTestId('notice')).toContainText('Opened 1 results file');
  await panel.getByTestId('compare-b').selectOption(await optionValue('compare-b', 'bm25.results.json'));
  await panel.getByTestId('compare-a').selectOption(await optionValue('compare-a', 'BM25 ·'));
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-delta-mono')).toHaveText('+0.000', { timeout: 60_000 });
  await expect(panel.getByTestId('compare-delta-mono')).toHaveAttribute('data-significant', 'false');

  // A share link of the BM25 results, opened in a fresh context (no stored data): the same heatmap.
  const original = await heatValues(card.locator('[data-testid="heatmap"]').first());
  await card.getByTestId('share-copy').first().click();
  const url = await card.getByTestId('share-link').first().inputValue();
  expect(url).toMatch(/#share=[A-Za-z0-9_-]+$/);
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expect(other.getByTestId('shared-view')).toBeVisible({ timeout: 60_000 });
  await expect(other.getByTestId('dataset')).toHaveCount(0);
  expect(await heatValues(other.getByTestId('shared-view'))).toEqual(original);
  await other.screenshot({ path: info.outputPath('shared-link.png'), fullPage: true });

  // A hostile link: an error naming the problem; nothing stored changes.
  await other.goto(url.replace(/#share=.*/, '#share=AAAA$$'));
  await other.reload();
  await expect(other.getByTestId('shared-error')).toContainText('base64url');
  await fresh.close();
  await page.goto(url.replace(/#share=.*/, '#share=eJyrVkrLz1eyUkpKLFKqBQAhkwS4'));
  await expect(page.getByTestId('shared-error')).toBeVisible();
  await expect(page.getByTestId('dataset')).toHaveCount(1);

  // Themes and widths: the dark theme applies; screenshots at three widths for review.
  await page.getByTestId('theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  for (const width of [900, 1280, 1920]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.screenshot({ path: info.outputPath(`lab-${width}.png`), fullPage: true });
  }
  await page.getByTestId('theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
});

test('a link naming remote shards fetches them only after the user confirms, checks their SHA-256, and imports them', async ({ page }) => {
  const { createServer } = await import('node:http');
  const { createHash } = await import('node:crypto');
  const { basename } = await import('node:path');
  const { encodeShare } = await import('../../src/core/share/link.ts');
  const { makeRunConfig } = await import('../../src/core/run-config.ts');
  const bodies = new Map(files.map((f) => [`/${basename(f)}`, readFileSync(f)]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = req.url === '/zh.json' ? Buffer.from('tampered') : bodies.get(req.url ?? '');
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/json', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const shardsOf = (names: string[]) => names.map((n) => {
      const body = readFileSync(files.find((f) => basename(f) === n)!);
      return { name: n, sha256: createHash('sha256').update(body).digest('hex'), url: `${origin}/${n}` };
    });
    const link = (names: string[]) => `/#share=${encodeShare({ v: 1, config: makeRunConfig({ version: 1, kind: 'bm25', model: { source: 'bm25' }, backend: 'cpu', datasets: [{ name: 'remote slice', shards: shardsOf(names) }] }) })}`;

    await page.goto(link(['de.json', 'en.json']));
    await expect(page.getByTestId('shared-shard')).toHaveCount(2);
    expect(requests).toEqual([]); // nothing fetched before the user asks
    await page.getByTestId('shared-check').click();
    await expect(page.getByTestId('shared-shard-size').first()).toContainText(/kB|MB/);
    expect(requests.every((r) => r.startsWith('HEAD '))).toBe(true);
    await page.getByTestId('shared-fetch').click();
    await expect(page.getByTestId('pending-file')).toHaveCount(2, { timeout: 60_000 });
    await page.getByTestId('import-button').click();
    await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });
    await expect(page.getByTestId('dataset')).toHaveCount(1);

    // A server that serves other bytes than the link records: refused, nothing added.
    await page.goto(link(['zh.json']));
    await expect(page.getByTestId('shared-shard')).toHaveCount(1);
    await page.getByTestId('shared-check').click();
    await page.getByTestId('shared-fetch').click();
    await expect(page.getByTestId('shared-fetch-error')).toContainText('the link records');
    await expect(page.getByTestId('pending-file')).toHaveCount(0);
  } finally {
    server.close();
  }
});
