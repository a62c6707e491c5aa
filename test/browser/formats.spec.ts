/**
 * The dataset layouts users have, in chromium: a BEIR folder of two languages of one parallel source (ids
 * shared across them: namespaced, with a warning, and evaluated cross-lingually too), Parquet shards written by hyparquet-writer (their column mapping listed
 * before import), and a shard fetched from a URL served by a test server with CORS (progress, then listed
 * like a dropped file; a 404 named). Each import's statistics and BM25 figures equal the core's on the same
 * files in this Node process.
 */
import { expect, test } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadDatasetFromPaths } from '../../src/cli/load-files.ts';
import { bm25Model } from '../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../src/core/eval/evaluate.ts';
import { writeXquadSlice } from '../support/xquad-slice.ts';

const score = (n: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(n);
const TOPICS = ['Hauptstadt Berlin Regierung', 'Rhein Fluss Basel Köln', 'Zugspitze Berg Alpen', 'Elbe Hamburg Hafen', 'Bodensee Konstanz Ufer'];

let root: string;
let beirDirs: string[];
let parquetFiles: string[];
let slice: string;
let server: Server;
let base = '';

test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'formats-'));
  beirDirs = ['de', 'fr'].map((lang) => {
    const dir = join(root, 'beir', `beir-${lang}`);
    mkdirSync(join(dir, 'qrels'), { recursive: true });
    writeFileSync(join(dir, 'corpus.jsonl'), TOPICS.map((t, i) => JSON.stringify({ _id: `d${i}`, title: `${lang} ${i}`, text: `${t} ${lang} Dokument ${i}` })).join('\n') + '\n');
    writeFileSync(join(dir, 'queries.jsonl'), TOPICS.map((t, i) => JSON.stringify({ _id: `q${i}`, text: t.split(' ').slice(0, 2).join(' ') })).join('\n') + '\n');
    writeFileSync(join(dir, 'qrels', 'test.tsv'), `query-id\tcorpus-id\tscore\n${TOPICS.map((_, i) => `q${i}\td${i}\t1`).join('\n')}\n`);
    return dir;
  });
  const pq = join(root, 'parquet');
  mkdirSync(pq);
  const write = (name: string, columnData: unknown[], gzip = false) => {
    const p = join(pq, name);
    const codec = gzip ? { codec: 'GZIP', compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) } } : {};
    writeFileSync(p, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 2, ...codec } as never)));
    return p;
  };
  parquetFiles = [
    // gzip: the page's worker loads hyparquet-compressors for it (snappy, the others, needs nothing more).
    write('corpus-de.parquet', [{ name: '_id', data: TOPICS.map((_, i) => `d${i}`), type: 'STRING' }, { name: 'title', data: TOPICS.map((_, i) => `T${i}`), type: 'STRING' }, { name: 'text', data: TOPICS.map((t) => `${t} Text`), type: 'STRING' }], true),
    write('queries-de.parquet', [{ name: '_id', data: TOPICS.map((_, i) => `q${i}`), type: 'STRING' }, { name: 'text', data: TOPICS.map((t) => t.split(' ')[0]), type: 'STRING' }]),
    write('qrels-de.parquet', [{ name: 'query-id', data: TOPICS.map((_, i) => `q${i}`), type: 'STRING' }, { name: 'corpus-id', data: TOPICS.map((_, i) => `d${i}`), type: 'STRING' }, { name: 'score', data: TOPICS.map(() => 1), type: 'INT32' }]),
  ];
  slice = writeXquadSlice(mkdtempSync(join(tmpdir(), 'formats-slice-')), { langs: ['de'], articles: 3 }).files[0]!;
  server = createServer((req, res) => {
    if (req.url === '/data/xquad/de.json') {
      const body = readFileSync(slice);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'access-control-allow-origin': '*' });
      res.end(body);
    } else {
      res.writeHead(404, { 'access-control-allow-origin': '*' });
      res.end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
test.afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function importAndWait(page: import('@playwright/test').Page, pending: number): Promise<void> {
  await expect(page.getByTestId('pending-file')).toHaveCount(pending);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('notice')).toContainText('Imported', { timeout: 60_000 });
  await expect(page.getByTestId('baseline')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
}

test('a BEIR folder of two languages: namespaced ids, statistics and BM25 per language equal the core', async ({ page }) => {
  const want = await evaluateDataset(await loadDatasetFromPaths(beirDirs), bm25Model());
  await page.goto('/');
  await page.getByTestId('folder-input').setInputFiles(join(root, 'beir'));
  await importAndWait(page, 6);
  const card = page.getByTestId('dataset');
  await expect(card.getByTestId('lang-row')).toHaveCount(2);
  await expect(card.getByTestId('total-queries')).toHaveText('10');
  await expect(card.getByTestId('total-candidates')).toHaveText('10');
  await expect(page.getByTestId('miracl-row')).toHaveCount(2);
  for (const l of ['de', 'fr']) await expect(page.getByTestId(`ndcg-${l}`)).toHaveText(score(want.settings.mono!.pairs[`${l}-${l}`]!.ndcg_cut_10));
  await expect(page.getByText(/every query and document id is prefixed with its language/).first()).toBeVisible();
  // One parallel source (the same ids in both folders): the cross-lingual cells too.
  expect(Object.keys(want.settings)).toEqual(['mono', 'cross', 'multi']);
  await expect(page.getByTestId('heat-de-fr')).toHaveText(score(want.settings.cross!.pairs['de-fr']!.map));
});

test('Parquet shards: the column mapping is listed before import; statistics and BM25 equal the core', async ({ page }) => {
  const want = await evaluateDataset(await loadDatasetFromPaths(parquetFiles), bm25Model());
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(parquetFiles);
  await expect(page.getByTestId('pending-columns')).toHaveCount(3);
  const columns = page.getByTestId('pending-columns');
  await expect(columns.filter({ hasText: 'id ← _id, text ← text, title ← title' })).toHaveCount(1);
  await expect(columns.filter({ hasText: 'queryId ← query-id, docId ← corpus-id, score ← score' })).toHaveCount(1);
  await expect(columns.filter({ hasText: /^5 rows in 3 row group\(s\); id ← _id, text ← text$/ })).toHaveCount(1);
  await importAndWait(page, 3);
  await expect(page.getByTestId('dataset').getByTestId('total-candidates')).toHaveText('5');
  await expect(page.getByTestId('ndcg-de')).toHaveText(score(want.settings.mono!.pairs['de-de']!.ndcg_cut_10));
  await expect(page.getByTestId('recall-de')).toHaveText(score(want.settings.mono!.pairs['de-de']!.recall_100));
});

test('a Parquet corpus whose column names say nothing: its columns are chosen in the import list, and the import reads them', async ({ page }) => {
  const passages = join(root, 'parquet', 'unnamed', 'passages-de.parquet');
  mkdirSync(join(root, 'parquet', 'unnamed'), { recursive: true });
  writeFileSync(passages, new Uint8Array(parquetWriteBuffer({ rowGroupSize: 2, columnData: [
    { name: 'doc_key', data: TOPICS.map((_, i) => `d${i}`), type: 'STRING' },
    { name: 'heading', data: TOPICS.map((_, i) => `T${i}`), type: 'STRING' },
    { name: 'body', data: TOPICS.map((t) => `${t} Text`), type: 'STRING' },
  ] } as never)));
  const files = [passages, parquetFiles[1]!, parquetFiles[2]!];
  const chosen = { id: 'doc_key', text: 'body', title: 'heading' };
  const want = await evaluateDataset(await loadDatasetFromPaths(files, { columnsOf: (p) => (p === passages ? chosen : undefined) }), bm25Model());

  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(files);
  const row = page.getByTestId('pending-file').filter({ hasText: 'passages-de.parquet' });
  await expect(row.getByTestId('pending-error')).toContainText('has no id column (its columns: doc_key, heading, body)');
  await expect(page.getByTestId('import-button')).toBeDisabled();
  await row.getByTestId('column-id').selectOption('doc_key');
  await row.getByTestId('column-title').selectOption('heading');
  await expect(row.getByTestId('pending-error')).toContainText('has no text column');
  await row.getByTestId('column-text').selectOption('body');
  await expect(row.getByTestId('pending-columns')).toHaveText('5 rows in 3 row group(s); id ← doc_key, text ← body, title ← heading');
  await expect(row).toContainText('miracl-corpus');
  await expect(row.getByTestId('pending-error')).toHaveCount(0);
  await importAndWait(page, 3);
  await expect(page.getByTestId('dataset').getByTestId('total-candidates')).toHaveText('5');
  await expect(page.getByTestId('ndcg-de')).toHaveText(score(want.settings.mono!.pairs['de-de']!.ndcg_cut_10));
});

test('a shard from a URL: fetched with progress, listed, imported; a 404 is named', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('url-input').fill(`${base}/data/xquad/missing.json`);
  await page.getByTestId('url-fetch').click();
  await expect(page.getByTestId('error-panel')).toContainText('HTTP 404');
  await page.getByTestId('url-input').fill(`${base}/data/xquad/de.json`);
  await page.getByTestId('url-fetch').click();
  await expect(page.getByTestId('pending-file')).toHaveCount(1);
  await expect(page.getByTestId('pending-file')).toContainText('lareqa');
  await importAndWait(page, 1);
  const ds = await loadDatasetFromPaths([slice]);
  await expect(page.getByTestId('dataset').getByTestId('total-queries')).toHaveText(ds.queries.length.toLocaleString('en-US'));
});
