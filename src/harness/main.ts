/**
 * harness.html?suite=<name>: a page that runs core code in the real browser
 * (WebGPU, workers, IndexedDB) for Playwright tests, without going through
 * the UI. Each suite lives in src/harness/<name>.ts and exports
 * `run(params: URLSearchParams): Promise<unknown>`; the result is put on
 * `window.__harnessResult` (or `window.__harnessError`).
 */
const SUITES: Record<string, () => Promise<{ run(p: URLSearchParams): Promise<unknown> }>> = {
  'big-values': () => import('./big-values.ts'),
  encoder: () => import('./encoder.ts'),
  eval: () => import('./eval.ts'),
  ingest: () => import('./ingest.ts'),
  threads: () => import('./threads.ts'),
};

declare global {
  interface Window { __harnessResult?: unknown; __harnessError?: string }
}

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
const suite = params.get('suite') ?? '';
const load = SUITES[suite];
if (!load) {
  window.__harnessError = `unknown suite "${suite}"`;
  out.textContent = window.__harnessError;
} else {
  load()
    .then((m) => m.run(params))
    .then((r) => { window.__harnessResult = r; out.textContent = JSON.stringify(r, null, 2); })
    .catch((e: unknown) => { window.__harnessError = String(e instanceof Error ? e.stack ?? e.message : e); out.textContent = window.__harnessError; });
}

export {};
