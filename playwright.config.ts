import { defineConfig } from '@playwright/test';

// Browser tests drive Debian's chromium (never a Playwright browser download):
// flags from ../shared/docs/PLATFORM.md.
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu',
];

// `npm test` picks a free port (PLAYWRIGHT_PORT) and always builds afresh, so a
// preview server left running elsewhere can neither block nor stand in for this build.
const PORT = Number(process.env.PLAYWRIGHT_PORT ?? 4173);
const ORIGIN = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  timeout: 180_000,
  // The whole browser run usually takes about 4 min; a hang ends here with a report
  // naming the interrupted test (scripts/test-all.mjs kills it 3 min later regardless).
  globalTimeout: 900_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: ORIGIN,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx vite build && npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: ORIGIN,
    reuseExistingServer: !process.env.CI && !process.env.PLAYWRIGHT_PORT,
    timeout: 180_000,
  },
});
