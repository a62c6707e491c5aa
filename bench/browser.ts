/**
 * The built page in Debian's chromium, for the suites that measure what only a
 * browser has (threaded wasm, module workers): builds the app with Vite's API,
 * serves it with `vite preview` (cross-origin isolated, vite.config.ts) on a free
 * port, opens harness.html?suite=… and returns the harness's result.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS } from '../playwright.config.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** This process's build of the page: `npm run bench` runs several browser suites, and one build serves them all. */
let built: Promise<unknown> | undefined;

/** Runs one harness suite (query string without `suite=`) in a build made by this process; `build: false` reuses dist/. */
export async function runHarness(suite: string, query: string, opts: { build?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
  if (opts.build !== false || !existsSync(resolve(ROOT, 'dist/harness.html'))) await (built ??= build({ root: ROOT, logLevel: 'error' }));
  const server = await preview({ root: ROOT, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    if (!url) throw new Error('vite preview gave no URL');
    const page = await browser.newPage();
    await page.goto(new URL(`harness.html?suite=${suite}&${query}`, url).href);
    type W = { __harnessResult?: unknown; __harnessError?: string };
    await page.waitForFunction(() => (window as unknown as W).__harnessResult !== undefined || (window as unknown as W).__harnessError !== undefined, null, { timeout: opts.timeoutMs ?? 600_000 });
    const [result, error] = await page.evaluate(() => [(window as unknown as W).__harnessResult, (window as unknown as W).__harnessError]);
    if (error) throw new Error(`harness ${suite}: ${String(error)}`);
    return result;
  } finally {
    await browser.close();
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
}
