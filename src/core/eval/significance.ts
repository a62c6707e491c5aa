/**
 * Paired significance of a difference between two systems on the same
 * queries, as ranx's `compare` offers: Fisher's randomization test. Under
 * the null hypothesis the two systems are exchangeable on each query, so
 * the sign of each per-query difference is a coin flip; the p-value is the
 * share of sign assignments whose statistic is at least as far from 0 as
 * the observed one (two-sided).
 *
 * The statistic is the difference of macro averages: the mean over groups
 * (language pairs) of the mean per-query difference in the group — the
 * heatmap cell for one group, a setting's macro (the paper's tables) for all
 * its pairs. Up to 2^16 assignments are enumerated exactly; beyond that,
 * `permutations` random ones (seeded, so a p-value is reproducible) with
 * p = (1 + hits) / (1 + permutations), never 0. No correction for multiple
 * comparisons is applied: a heatmap of 121 cells at p < 0.05 has about six
 * false alarms when nothing differs, and the page says so.
 *
 * Checked against scipy.stats.permutation_test (exact) on small cases.
 */
import { LabError } from '../errors.ts';
import { mulberry32 } from '../random.ts';

export interface PairedTest {
  /** Macro of B minus macro of A. */
  diff: number;
  p: number;
  /** Queries behind the test (all groups). */
  n: number;
  method: 'exact' | 'randomization';
  /** Sign assignments evaluated. */
  permutations: number;
}

export interface TestOptions {
  permutations?: number;
  seed?: number;
}

export const EXACT_LIMIT = 16;
export const SIGNIFICANCE_LEVEL = 0.05;

/** `groups[g]` holds the per-query differences (B − A) of group g; empty groups are left out of the macro. */
export function randomizationTest(groups: readonly (readonly number[])[], opts: TestOptions = {}): PairedTest {
  const gs = groups.filter((g) => g.length > 0);
  const n = gs.reduce((s, g) => s + g.length, 0);
  if (n === 0) throw new LabError('invalid-argument', 'no query is judged in both results', {}, 'two results on the same queries');
  // Each difference weighs 1 / (|group| · groups) in the macro statistic.
  const d = new Float64Array(n);
  const w = new Float64Array(n);
  let k = 0;
  for (const g of gs) for (const x of g) { d[k] = x; w[k] = 1 / (g.length * gs.length); k++; }
  let observed = 0;
  for (let i = 0; i < n; i++) observed += w[i]! * d[i]!;
  // Compare with a relative tolerance: a flipped sum equal to the observed one in exact arithmetic must count.
  const threshold = Math.abs(observed) * (1 - 1e-12) - 1e-15;
  if (n <= EXACT_LIMIT) {
    let hits = 0;
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += ((mask >> i) & 1 ? -1 : 1) * w[i]! * d[i]!;
      if (Math.abs(s) >= threshold) hits++;
    }
    return { diff: observed, p: hits / total, n, method: 'exact', permutations: total };
  }
  const R = opts.permutations ?? 10_000;
  const rnd = mulberry32(opts.seed ?? 42);
  let hits = 0;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (rnd() < 0.5 ? -1 : 1) * w[i]! * d[i]!;
    if (Math.abs(s) >= threshold) hits++;
  }
  return { diff: observed, p: (1 + hits) / (1 + R), n, method: 'randomization', permutations: R };
}

/** The paired test of one group (a heatmap cell): b − a per query. */
export function pairedTest(a: readonly number[], b: readonly number[], opts: TestOptions = {}): PairedTest {
  if (a.length !== b.length) throw new LabError('invalid-argument', `paired values differ in length (${a.length} vs ${b.length})`);
  return randomizationTest([a.map((x, i) => b[i]! - x)], opts);
}
