/**
 * `npm run bench -- <suite>`: benchmarks. Each suite lives in bench/<suite>.ts
 * and exports `run(argv: string[]): Promise<void>`. Figures are reported as
 * ratios against a reference measured in the same process, with the machine.
 * Every run also writes bench/results/<date>-<machine>.md and .json
 * (bench/report.ts); `--no-report` skips that (the smoke test).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, parseTables, writeReport, type SuiteReport } from './report.ts';

const SUITES: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  eval: () => import('./eval.ts'),
  encoder: () => import('./encoder.ts'),
  train: () => import('./train.ts'),
  datasets: () => import('./datasets.ts'),
  'model-io': () => import('./model-io.ts'),
};

const args = process.argv.slice(2);
const noReport = args.includes('--no-report');
const [suite, ...rest] = args.filter((a) => a !== '--no-report');
const names = suite && !suite.startsWith('--') ? [suite] : Object.keys(SUITES);
const suiteArgs = suite && !suite.startsWith('--') ? rest : args.filter((a) => a !== '--no-report');
const reports: SuiteReport[] = [];
for (const n of names) {
  const load = SUITES[n];
  if (!load) {
    console.error(`unknown suite "${n}"; suites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  const m = await load();
  const { lines, seconds } = await capture(() => m.run(suiteArgs));
  reports.push({ suite: n, argv: suiteArgs, seconds, lines, tables: parseTables(lines) });
}
if (!noReport) {
  const { json, md } = writeReport(join(fileURLToPath(new URL('.', import.meta.url)), 'results'), reports);
  console.error(`results: ${md} and ${json}`);
}
