/**
 * `npm run bench -- <suite>`: benchmarks. Each suite lives in bench/<suite>.ts
 * and exports `run(argv: string[]): Promise<void>`. Figures are reported as
 * ratios against a reference measured in the same process, with the machine.
 * Every run also writes bench/results/<date>-<machine>.md and .json
 * (bench/report.ts); `--no-report` skips that (the smoke test). `npm run bench -- --smoke`
 * runs every suite on tiny inputs (CI's check that each still runs).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, parseTables, writeReport, type SuiteReport } from './report.ts';

const SUITES: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  eval: () => import('./eval.ts'),
  encoder: () => import('./encoder.ts'),
  train: () => import('./train.ts'),
  datasets: () => import('./datasets.ts'),
  store: () => import('./store.ts'),
  'model-io': () => import('./model-io.ts'),
  threads: () => import('./threads.ts'),
  tokenize: () => import('./tokenize.ts'),
  scale: () => import('./scale.ts'),
};

/**
 * `--smoke` with no suite named: every suite on the smallest inputs that still run every code path, so CI can
 * check that each benchmark still works (its figures mean nothing).
 */
const SMOKE: Record<string, string[]> = {
  eval: ['--queries', '200', '--no-dense', '--no-torch'],
  encoder: ['--shapes', 'tiny', '--budget-s', '1', '--backends', 'wasm', '--no-torch'],
  train: ['--smoke', '--backends', 'wasm'],
  datasets: ['--mb', '2'],
  store: ['--mb', '2'],
  'model-io': ['--mb', '2'],
  threads: ['--smoke', '--shape', 'small'],
  tokenize: ['--limit', '50'],
  scale: ['--smoke'],
};

const args = process.argv.slice(2);
const noReport = args.includes('--no-report');
const [suite, ...rest] = args.filter((a) => a !== '--no-report');
const named = suite !== undefined && !suite.startsWith('--');
const smokeAll = !named && args.includes('--smoke');
const names = named ? [suite] : Object.keys(SUITES);
const argsOf = (n: string): string[] => (named ? rest : smokeAll ? SMOKE[n] ?? [] : args.filter((a) => a !== '--no-report'));
const reports: SuiteReport[] = [];
for (const n of names) {
  const load = SUITES[n];
  if (!load) {
    console.error(`unknown suite "${n}"; suites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  const m = await load();
  const suiteArgs = argsOf(n);
  const { lines, seconds } = await capture(() => m.run(suiteArgs));
  reports.push({ suite: n, argv: suiteArgs, seconds, lines, tables: parseTables(lines) });
}
if (!noReport) {
  const { json, md } = writeReport(join(fileURLToPath(new URL('.', import.meta.url)), 'results'), reports);
  console.error(`results: ${md} and ${json}`);
}
