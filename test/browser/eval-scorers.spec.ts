/**
 * The dense scorers in real chromium: the synthetic LAReQA-like fixture
 * (src/harness/eval-fixture.ts: 3 languages x 60 queries, 80 candidates per
 * language, 16 dims) evaluated in the page with denseModel on 'cpu',
 * 'tfjs-wasm' and 'tfjs-webgpu' (SwiftShader), and in this Node process with
 * the same core on 'cpu'.
 *
 * What is asserted, and why:
 * - tfjs runs really ran where they say: tf.getBackend() after the run and the
 *   results' description.scorer are 'wasm'/'tfjs-wasm' and 'webgpu'/'tfjs-webgpu'.
 * - int-dot (small-integer embeddings, dot): float32 products and sums of
 *   integers this small are exact, so all three backends compute the same
 *   scores; the fixture has many exact ties (checked), which the tie rule
 *   (score desc, docid desc) must break the same way. Asserted: identical
 *   results objects (settings, language bias, counts), identical per-query
 *   metrics, identical top-10 docids and scores.
 * - float-cosine (random floats, cosine): tfjs scores are float32, the CPU's
 *   float64; their difference is bounded by ~1.5e-6 (normalisation + a 16-term
 *   dot in float32), and we measure it on the top-10 lists (< 2e-6 asserted).
 *   The fixture's float64 margins are checked first: no exact ties, every gap
 *   between neighbouring top-11 scores and between a relevant candidate's
 *   score and any other candidate's exceeds 3e-6 (2x the bound). Given that,
 *   every backend must give the same top-10 order and the same rank to each
 *   relevant candidate, hence bit-identical metrics, which is what is
 *   asserted (identical top-10 docids, identical per-query metrics and
 *   results). No tolerance on metrics is needed; if a new seed broke the
 *   margin precondition the test fails there, saying so, rather than flake.
 * - Page CPU vs Node CPU (same generator, same core): every number of the
 *   results object, per-query metrics and top-10 scores within 1e-12, same docids.
 */
import { expect, test } from '@playwright/test';
import { evaluateFixture, makeEvalFixture, scoreMargins, type EvalCase, type EvalRunOutput } from '../../src/harness/eval-fixture.ts';

interface HarnessResult {
  env: { webgpu: string; wasm: boolean; adapterInfo?: string };
  wasmInit: string;
  cases: Record<EvalCase, Record<'cpu' | 'tfjs-wasm' | 'tfjs-webgpu', EvalRunOutput>>;
}

/** Max |a - b| over every number of two same-shaped JSON values; throws on a shape or non-number mismatch. */
function maxDiff(a: unknown, b: unknown, path = '$'): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return 0;
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`${path}: ${a} vs ${b}`);
    return Math.abs(a - b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) throw new Error(`${path}: length ${a.length} vs ${b.length}`);
    return a.reduce((m: number, x, i) => Math.max(m, maxDiff(x, b[i], `${path}[${i}]`)), 0);
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join('\n') !== kb.join('\n')) throw new Error(`${path}: keys differ`);
    return ka.reduce((m, k) => Math.max(m, maxDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`)), 0);
  }
  if (a !== b) throw new Error(`${path}: ${String(a)} vs ${String(b)}`);
  return 0;
}

const metricsPart = (r: EvalRunOutput): unknown => ({ settings: r.results.settings, languageBias: r.results.languageBias, counts: r.results.counts });
const docids = (r: EvalRunOutput): Record<string, string[]> => Object.fromEntries(Object.entries(r.top).map(([q, t]) => [q, t.docids]));
const scores = (r: EvalRunOutput): Record<string, number[]> => Object.fromEntries(Object.entries(r.top).map(([q, t]) => [q, t.scores]));

test('dense scorers: cpu, tfjs-wasm and tfjs-webgpu agree in the page, and the page CPU equals the Node core', async ({ page }) => {
  test.setTimeout(60_000);
  const t0 = Date.now();
  await page.goto('/harness.html?suite=eval');
  type W = { __harnessResult?: unknown; __harnessError?: string };
  await page.waitForFunction(() => (window as unknown as W).__harnessResult !== undefined || (window as unknown as W).__harnessError !== undefined, null, { timeout: 55_000 });
  const err = await page.evaluate(() => (window as unknown as W).__harnessError);
  expect(err).toBeUndefined();
  const r = (await page.evaluate(() => (window as unknown as W).__harnessResult)) as HarnessResult;
  const pageMs = Date.now() - t0;

  expect(r.env.webgpu).not.toBe('none');
  expect(r.wasmInit).toBe('wasm');
  const timings: Record<string, number> = {};
  for (const c of ['int-dot', 'float-cosine'] as const) {
    const byB = r.cases[c];
    const cpu = byB.cpu;
    expect(cpu.tfBackend).toBeNull();
    expect(cpu.results.description.scorer).toBe('cpu');
    expect(byB['tfjs-wasm'].tfBackend).toBe('wasm');
    expect(byB['tfjs-wasm'].results.description.scorer).toBe('tfjs-wasm');
    expect(byB['tfjs-webgpu'].tfBackend).toBe('webgpu');
    expect(byB['tfjs-webgpu'].results.description.scorer).toBe('tfjs-webgpu');
    expect(cpu.results.counts).toEqual({ queries: 180, candidates: 240, languages: ['de', 'en', 'es'] });
    expect(Object.keys(cpu.top)).toHaveLength(180);
    expect(Object.keys(cpu.perQuery)).toHaveLength(180 + 360 + 180);

    const f = makeEvalFixture(c);
    const margins = scoreMargins(f);
    if (c === 'int-dot') {
      expect(margins.exactTies, 'the integer case must exercise the tie rule').toBeGreaterThan(100);
      // Some top-10 list really holds tied scores.
      expect(Object.values(cpu.top).some((t) => new Set(t.scores).size < t.scores.length)).toBe(true);
    } else {
      expect(margins.exactTies).toBe(0);
      expect(margins.topGap, 'fixture precondition: top-11 score gaps > 2x float32 error').toBeGreaterThan(3e-6);
      expect(margins.relevantGap, 'fixture precondition: relevant-score gaps > 2x float32 error').toBeGreaterThan(3e-6);
    }
    for (const b of ['tfjs-wasm', 'tfjs-webgpu'] as const) {
      const o = byB[b];
      expect(docids(o), `${c} ${b}: top-10 docids`).toEqual(docids(cpu));
      expect(o.perQuery, `${c} ${b}: per-query metrics`).toEqual(cpu.perQuery);
      expect(metricsPart(o), `${c} ${b}: results`).toEqual(metricsPart(cpu));
      const sd = maxDiff(scores(o), scores(cpu));
      if (c === 'int-dot') expect(sd, `${c} ${b}: top-10 scores`).toBe(0);
      else expect(sd, `${c} ${b}: top-10 scores (float32 vs float64)`).toBeLessThan(2e-6);
      timings[`${c} ${b} scoreDiff`] = sd;
    }

    // The same fixture through the core in this Node process.
    const node = await evaluateFixture(f, 'cpu');
    expect(docids(cpu)).toEqual(docids(node));
    expect(maxDiff(scores(cpu), scores(node))).toBeLessThanOrEqual(1e-12);
    expect(maxDiff(cpu.perQuery, node.perQuery)).toBeLessThanOrEqual(1e-12);
    expect(maxDiff(cpu.results, node.results)).toBeLessThanOrEqual(1e-12);
    for (const b of ['cpu', 'tfjs-wasm', 'tfjs-webgpu'] as const) timings[`${c} ${b} ms`] = Math.round(byB[b].ms);
    timings[`${c} node-cpu ms`] = Math.round(node.ms);
    timings[`${c} multi map`] = cpu.results.settings.multi!.macro.map;
  }
  timings['page total ms'] = pageMs;
  console.log(`eval-scorers (${r.env.webgpu} adapter: ${r.env.adapterInfo ?? '?'}):`, JSON.stringify(timings));
});
