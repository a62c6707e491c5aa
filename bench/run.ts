/**
 * `npm run bench -- <suite>`: benchmarks. Each suite lives in bench/<suite>.ts
 * and exports `run(argv: string[]): Promise<void>`. Figures are reported as
 * ratios against a reference measured in the same process, with the machine.
 */
const SUITES: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  eval: () => import('./eval.ts'),
  encoder: () => import('./encoder.ts'),
  train: () => import('./train.ts'),
  datasets: () => import('./datasets.ts'),
  'model-io': () => import('./model-io.ts'),
};

const [suite, ...rest] = process.argv.slice(2);
const names = suite ? [suite] : Object.keys(SUITES);
for (const n of names) {
  const load = SUITES[n];
  if (!load) {
    console.error(`unknown suite "${n}"; suites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run(rest);
}
export {};
