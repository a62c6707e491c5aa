#!/usr/bin/env node
/**
 * `npm test`: every test the project has, unit (vitest, Node) and browser
 * (Playwright driving Debian's /usr/bin/chromium), then one closing line
 * `N passed, N failed` summed over both runners.
 *
 * A runner that crashes (no report, or a non-zero exit with no failed test in
 * its report) counts as one failure: a broken runner must never read as
 * "0 failed". Browsers are never downloaded; chromium comes from apt.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// chromium for the browser tests; libvulkan1 so Dawn (the `webgpu` package) finds chromium's SwiftShader driver and
// the WebGPU-in-Node tests run on the same WebGPU code as the page.
const APT = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium libvulkan1';
const VULKAN_LOADER = '/usr/share/doc/libvulkan1';

function finish(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

function ensureChromium() {
  if (existsSync(CHROMIUM) && existsSync(VULKAN_LOADER)) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`Browser and WebGPU tests need Debian's chromium at ${CHROMIUM} and libvulkan1; one is missing. Install them with:\n  sudo sh -c '${APT}'`);
    return false;
  }
  console.log(`chromium or libvulkan1 missing: installing them with apt (${APT})`);
  const r = spawnSync('sh', ['-c', APT], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(CHROMIUM) || !existsSync(VULKAN_LOADER)) {
    console.error(`apt could not install chromium (exit ${r.status}); run by hand:\n  ${APT}`);
    return false;
  }
  return true;
}

/**
 * Runs one runner in its own process group, never past `deadlineS`: a hung test
 * must end as a named failure, not as a CI job that stops printing. At the
 * deadline, and after a normal exit (for whatever it left running), the whole
 * group is killed.
 */
const liveGroups = new Set();
// The runners lead their own process groups, so a Ctrl-C or a CI cancel must be passed on.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of liveGroups) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    process.exit(130);
  });
}

function runBin(bin, args, env, deadlineS) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(root, 'node_modules', '.bin', bin), args, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, ...env } });
    let timedOut = false;
    if (child.pid) liveGroups.add(child.pid);
    const killGroup = (signal = 'SIGKILL') => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } };
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n${bin} ${args[0] ?? ''} did not finish in ${deadlineS} s: stopping it`);
      // SIGINT first, as Ctrl-C would: Playwright then stops its web server (in a process group of
      // its own) and reports the interrupted test; whatever is left is killed 10 s later.
      killGroup('SIGINT');
      setTimeout(() => killGroup(), 10_000).unref();
    }, deadlineS * 1000);
    const done = (code) => { clearTimeout(timer); killGroup(); liveGroups.delete(child.pid); resolve({ code, timedOut, seconds: (Date.now() - started) / 1000 }); };
    child.on('error', (err) => { console.error(`${bin} could not start: ${err.message}`); done(-1); });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : -1)));
  });
}

/** Seconds a runner may take, from the environment (TEST_DEADLINE_<NAME>_S) or the default. */
function deadline(name, fallbackS) {
  const v = Number(process.env[`TEST_DEADLINE_${name.toUpperCase()}_S`]);
  return Number.isFinite(v) && v > 0 ? v : fallbackS;
}

function readJson(file) {
  try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return undefined; }
}

/** vitest's JSON reporter (jest-compatible shape). */
async function runVitest(dir) {
  const out = join(dir, 'vitest.json');
  const runningFile = join(dir, 'vitest-running.txt');
  // Usually about 10 min on 2 cores.
  const { code, seconds, timedOut } = await runBin('vitest', ['run', '--reporter=default', '--reporter=json', '--reporter=./test/setup/watch-reporter.ts', `--outputFile.json=${out}`],
    { VITEST_RUNNING_FILE: runningFile }, deadline('vitest', 1800));
  if (timedOut) {
    const running = existsSync(runningFile) ? readFileSync(runningFile, 'utf8').trim() : '';
    console.error(`vitest was killed at its deadline; running then:\n${running || '(nothing recorded)'}`);
  }
  const report = readJson(out);
  let passed = 0;
  let failed = 0;
  if (report && typeof report.numPassedTests === 'number') {
    passed = report.numPassedTests;
    failed = report.numFailedTests ?? 0;
    // Files that failed to load report no tests: count each as a failure.
    for (const f of report.testResults ?? []) if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) failed += 1;
  }
  if ((code !== 0 || !report) && failed === 0) {
    console.error(`vitest exited with ${code} and no failed test in its report: counting the runner as 1 failure`);
    failed = 1;
  }
  return { name: 'vitest', passed, failed, seconds };
}

/** A port nothing listens on now, for this run's own preview server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Playwright's JSON reporter: stats.expected = passed, unexpected = failed. */
async function runPlaywright(dir) {
  const out = join(dir, 'playwright.json');
  // Usually about 4 min; playwright.config.ts's globalTimeout ends it first, with a report.
  const { code, seconds } = await runBin('playwright', ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    PLAYWRIGHT_PORT: process.env.PLAYWRIGHT_PORT ?? String(await freePort()),
  }, deadline('playwright', 1080));
  const report = readJson(out);
  let passed = 0;
  let failed = 0;
  if (report?.stats) {
    passed = (report.stats.expected ?? 0) + (report.stats.flaky ?? 0);
    failed = report.stats.unexpected ?? 0;
    failed += (report.errors ?? []).length; // global errors (webServer failed, config broken)
  }
  if ((code !== 0 || !report) && failed === 0) {
    console.error(`playwright exited with ${code} and no failed test in its report: counting the runner as 1 failure`);
    failed = 1;
  }
  return { name: 'playwright', passed, failed, seconds };
}

/**
 * Strict type checking is part of the suite: `tsc` over src/workers/test/bench,
 * `tsc` over src/core alone without the DOM library, and `svelte-check` over
 * the components. Each counts as one test.
 */
async function runTypecheck() {
  const checks = [
    ['tsc', ['--noEmit', '-p', 'tsconfig.json']],
    // src/core without the DOM library: core code must run the same in Node, a worker and the page.
    ['tsc', ['--noEmit', '-p', 'tsconfig.core.json']],
    ['svelte-check', ['--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human']],
  ];
  let passed = 0;
  let failed = 0;
  let seconds = 0;
  for (const [bin, args] of checks) {
    const r = await runBin(bin, args, {}, deadline('typecheck', 600));
    seconds += r.seconds;
    if (r.code === 0) passed += 1;
    else { failed += 1; console.error(`${bin} found type errors (exit ${r.code})`); }
  }
  return { name: 'typecheck', passed, failed, seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'polyglot-lab-tests-'));
const results = [];
try {
  results.push(await runTypecheck());
  const browser = ensureChromium();
  results.push(await runVitest(dir));
  if (browser) results.push(await runPlaywright(dir));
  else results.push({ name: 'playwright', passed: 0, failed: 1, seconds: 0 });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('');
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed in ${r.seconds.toFixed(1)} s`);
finish(results.reduce((s, r) => s + r.passed, 0), results.reduce((s, r) => s + r.failed, 0));
