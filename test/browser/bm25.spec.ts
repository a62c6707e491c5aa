/**
 * The BM25 baseline in chromium: three real XQuAD-R files through the file
 * input; the heatmap appears on its own after the import, and every number it
 * prints must equal what the evaluation core computes in this Node process on
 * the same files (independently of the page, its worker and IndexedDB). A
 * reload draws it from the cache without starting the evaluate worker; the
 * exported run, qrels and results files must be exactly those of the core.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDatasetFromPaths } from '../../src/cli/load-files.ts';
import { bm25Model } from '../../src/core/bm25/search.ts';
import type { Dataset } from '../../src/core/dataset/types.ts';
import { evaluateDataset, settingQrels } from '../../src/core/eval/evaluate.ts';
import { parseResults, type EvalResults } from '../../src/core/eval/results.ts';
import { formatQrelsLines, formatRunLines, parseRun, runTag } from '../../src/core/eval/trec.ts';

const XQUAD_R = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/xquad-r');
const LANGS = ['de', 'en', 'zh'] as const;
const FILES = LANGS.map((l) => join(XQUAD_R, `${l}.json`));
const DEPTH = 5;

// The page's formatting of a score, applied here to the core's numbers.
const score = (n: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(n);
const rank = (n: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n);

let dataset: Dataset;
let expected: EvalResults;
let expectedMonoRun = '';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dataset = await loadDatasetFromPaths(FILES);
  expected = await evaluateDataset(dataset, bm25Model());
  const tag = runTag('bm25', 'mono');
  await evaluateDataset(dataset, bm25Model(), {
    settings: ['mono'],
    run: { setting: 'mono', depth: DEPTH, write: (qid, ids, scores) => { expectedMonoRun += formatRunLines(qid, ids, scores, tag); } },
  });
});

/**
 * The page's run against the core's, line by line: same qids, ranks and scores,
 * and the same document unless the core's scores tie there, when the tie rule
 * may order the near-equal documents either way. Scores agree to 1e-12
 * relative (Chromium's and Node's V8 differ in the last bit of Math.log); the
 * analyzer does not depend on either runtime's ICU, so zh is held to the same.
 */

function expectSameRun(got: string[], want: string[]): void {
  expect(got).toHaveLength(want.length);
  const tol = 1e-12;
  const close = (a: number, b: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  const scoresOf = new Map<string, number[]>();
  for (const l of want) {
    const c = l.split(' ');
    let list = scoresOf.get(c[0]!);
    if (!list) scoresOf.set(c[0]!, (list = []));
    list.push(Number(c[4]));
  }
  // Plain checks per line (17,850 of them), one expect at the end: Playwright's expect is far too slow per line.
  const problems: string[] = [];
  let swapped = 0;
  for (let i = 0; i < got.length && problems.length < 5; i++) {
    const g = got[i]!.split(' ');
    const w = want[i]!.split(' ');
    let problem = '';
    if (g[0] !== w[0] || g[1] !== w[1] || g[3] !== w[3] || g[5] !== w[5]) problem = `line ${i + 1}: "${got[i]}" vs the core's "${want[i]}"`;
    else if (!close(Number(g[4]), Number(w[4]))) problem = `line ${i + 1}: score ${g[4]} vs the core's ${w[4]}`;
    else if (g[2] !== w[2]) {
      const scores = scoresOf.get(w[0]!)!;
      const tied = scores.filter((x) => close(x, Number(w[4]))).length > 1 || Number(w[3]) === scores.length;
      if (!tied) problem = `line ${i + 1}: ${g[2]} instead of ${w[2]} without a tie`;
      swapped++;
    }
    if (problem) problems.push(problem);
  }
  expect(problems).toEqual([]);
  expect(swapped).toBeLessThan(got.length / 100);
}

function pairMap(x: string, y: string): number {
  const cell = x === y ? expected.settings.mono!.pairs[`${x}-${y}`] : expected.settings.cross!.pairs[`${x}-${y}`];
  return cell!.map;
}

test('BM25 heatmap after import equals the core on the same files, survives a reload, and exports trec_eval files', async ({ page }) => {
  // The picture the baseline is for: strong on the diagonal, weak across languages.
  for (const x of LANGS) {
    expect(pairMap(x, x)).toBeGreaterThan(0.6);
    for (const y of LANGS) if (x !== y) expect(pairMap(x, y)).toBeLessThan(0.35);
  }

  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(FILES);
  await expect(page.getByTestId('pending-file')).toHaveCount(3);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });

  const baseline = page.getByTestId('baseline');
  await expect(baseline).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(baseline).toHaveAttribute('data-source', 'run');
  expect(await page.evaluate(() => window.__polyglotLabEval)).toMatchObject({ workerStarted: true, evaluations: 1 });

  async function expectNumbers(): Promise<void> {
    for (const x of LANGS) {
      for (const y of LANGS) {
        const cell = page.getByTestId(`heat-${x}-${y}`);
        await expect(cell).toHaveText(score(pairMap(x, y)));
        await expect(cell).toHaveAttribute('data-setting', x === y ? 'mono' : 'cross');
        await expect(cell).toHaveAttribute('aria-label', new RegExp(`^${x} queries → ${y} candidates .*mAP ${score(pairMap(x, y))} over 1,190 queries`));
      }
      await expect(page.getByTestId(`heat-${x}-all`)).toHaveText(score(expected.settings.multi!.pairs[`${x}-all`]!.map));
      await expect(page.getByTestId(`bias-${x}`)).toHaveText(rank(expected.languageBias!.byQueryLang[x]!));
    }
    for (const s of ['mono', 'cross', 'multi'] as const) {
      await expect(page.getByTestId(`macro-${s}`)).toHaveText(score(expected.settings[s]!.macro.map));
    }
    await expect(page.getByTestId('macro-bias')).toHaveText(rank(expected.languageBias!.macro));
    await expect(page.getByTestId('baseline-headline')).toContainText('unweighted mean over 6 pairs');
  }
  await expectNumbers();
  await expect(page.getByTestId('ap-note')).toContainText('can exceed AP computed by trec_eval from a truncated run file');

  // Results JSON: the same object as the core's, cell by cell.
  const [resultsDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-results').click()]);
  expect(resultsDl.suggestedFilename()).toMatch(/\.bm25\.results\.json$/);
  const saved = parseResults(await readFile((await resultsDl.path())!, 'utf8'));
  for (const s of ['mono', 'cross', 'multi'] as const) {
    for (const [k, cell] of Object.entries(expected.settings[s]!.pairs)) {
      expect(saved.settings[s]!.pairs[k]!.map, `${s} ${k}`).toBeCloseTo(cell.map, 12);
      expect(saved.settings[s]!.pairs[k]!.num_q).toBe(cell.num_q);
    }
  }

  // TREC run of the mono setting, 5 deep: exactly the core's run, line for line.
  await page.getByTestId('export-setting').selectOption('mono');
  await page.getByTestId('export-depth').fill(String(DEPTH));
  await expect(page.getByTestId('run-size')).toContainText('17,850 lines');
  const [runDl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-run').click()]);
  expect(runDl.suggestedFilename()).toMatch(/\.bm25\.mono\.depth-5\.trec$/);
  const runText = await readFile((await runDl.path())!, 'utf8');
  const lines = runText.split('\n').filter(Boolean);
  expect(lines[0]).toMatch(/^\S+ Q0 \S+ 1 -?\d[\d.e+-]* polyglot-lab\.bm25\.mono$/);
  for (const l of lines.slice(0, 20)) expect(l.split(' ')).toHaveLength(6);
  const run = parseRun(runText, 'run.trec');
  expect(run.size).toBe(3 * 1190);
  expect(lines).toHaveLength(3 * 1190 * DEPTH);
  expectSameRun(lines, expectedMonoRun.split('\n').filter(Boolean));

  const [qrelsDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-qrels').click()]);
  expect(await readFile((await qrelsDl.path())!, 'utf8')).toBe(formatQrelsLines(settingQrels(dataset, 'mono')));

  // Reload: the heatmap comes from IndexedDB; the evaluate worker never starts.
  await page.reload();
  await expect(baseline).toHaveAttribute('data-source', 'cache');
  await expect(page.getByTestId('baseline-cached')).toContainText('from cache');
  await expectNumbers();
  expect(await page.evaluate(() => window.__polyglotLabEval)).toEqual({ workerStarted: false, evaluations: 0, exports: 0 });

  // Run again, cancel at once: a notice, and the cached results stay on screen.
  await page.getByTestId('baseline-run').click();
  await page.getByTestId('baseline-cancel').click();
  await expect(page.getByTestId('baseline-notice')).toHaveText('BM25 run cancelled; nothing was stored.', { timeout: 30_000 });
  await expect(baseline).toHaveAttribute('data-status', 'done');
  await expectNumbers();
});

test('MIRACL: the per-language nDCG@10 / Recall@100 table equals the core, and only the mono run is offered', async ({ page }) => {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/datasets/miracl');
  const files = ['topics.miracl-v1.0-de-dev.tsv', 'qrels.miracl-v1.0-de-dev.tsv', 'miracl-corpus-v1.0-de-0.jsonl.gz', 'miracl-corpus-v1.0-de-1.jsonl.gz'].map((f) => join(dir, f));
  const ds = await loadDatasetFromPaths(files);
  const want = await evaluateDataset(ds, bm25Model());
  const cell = want.settings.mono!.pairs['de-de']!;

  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('pending-file')).toHaveCount(4);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
  await expect(page.getByTestId('baseline')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('miracl-row')).toHaveCount(1);
  await expect(page.getByTestId('ndcg-de')).toHaveText(score(cell.ndcg_cut_10));
  await expect(page.getByTestId('recall-de')).toHaveText(score(cell.recall_100));
  await expect(page.getByTestId('macro-ndcg')).toHaveText(score(want.settings.mono!.macro.ndcg_cut_10));
  await expect(page.getByTestId('heatmap')).toHaveCount(0);
  await expect(page.getByTestId('export-setting')).toBeDisabled();
  await expect(page.getByTestId('export-setting').locator('option')).toHaveText(['mono']);
});

test('on all of XQuAD-R the page and Node give identical BM25 results: every cell to 1e-9 (the analyzer ignores ICU)', async ({ page }) => {
  test.setTimeout(600_000);
  const all = readdirSync(XQUAD_R).filter((f) => f.endsWith('.json')).sort().map((f) => join(XQUAD_R, f));
  const full = await evaluateDataset(await loadDatasetFromPaths(all), bm25Model());
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(all);
  await expect(page.getByTestId('pending-file')).toHaveCount(11);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 120_000 });
  const baseline = page.getByTestId('baseline');
  await expect(baseline).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  // Read every number at once (data-value carries the unrounded value).
  const got = await baseline.evaluate((el) => Object.fromEntries([...el.querySelectorAll('[data-testid^="heat-"], [data-testid^="bias-"]')]
    .map((c) => [c.getAttribute('data-testid')!, Number(c.getAttribute('data-value'))])));
  const langs = full.counts.languages;
  const problems: string[] = [];
  let cells = 0;
  const check = (id: string, want: number) => {
    cells++;
    if (!(Math.abs(got[id]! - want) <= 1e-9 * Math.max(1, Math.abs(want)))) problems.push(`${id}: page ${got[id]} vs Node ${want}`);
  };
  for (const x of langs) {
    for (const y of langs) check(`heat-${x}-${y}`, x === y ? full.settings.mono!.pairs[`${x}-${y}`]!.map : full.settings.cross!.pairs[`${x}-${y}`]!.map);
    check(`heat-${x}-all`, full.settings.multi!.pairs[`${x}-all`]!.map);
    check(`bias-${x}`, full.languageBias!.byQueryLang[x]!);
  }
  expect(problems).toEqual([]);
  expect(cells).toBe(11 * 13);
});
