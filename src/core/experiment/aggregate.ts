/**
 * An experiment's results: per sampler, the mean and standard deviation over
 * seeds of every setting's macro score and of the language bias, and a paired
 * test of each sampler against the reference one over queries (the seeds'
 * per-query values averaged first, so a query counts once), corrected for
 * multiple comparisons over the whole family of tests (Holm by default), plus
 * the same tables per language group (high / low resource).
 */
import { LabError } from '../errors.ts';
import type { Lang } from '../dataset/types.ts';
import type { Setting } from '../run-config.ts';
import type { MetricName, MetricValues } from '../eval/metrics.ts';
import type { EvalResults, SettingResult } from '../eval/results.ts';
import type { PerQueryValues } from '../eval/per-query.ts';
import { compareResults } from '../eval/compare.ts';
import { DEFAULT_HIGH_RESOURCE, groupMacros } from '../eval/language-groups.ts';
import { SIGNIFICANCE_LEVEL } from '../eval/significance.ts';
import { referenceOf, type Experiment } from './schema.ts';

export interface MeanSd { mean: number; sd: number; n: number }

export type GroupColumn = 'mono' | 'crossToHigh' | 'crossToLow' | 'multi';
export const GROUP_COLUMNS: readonly GroupColumn[] = ['mono', 'crossToHigh', 'crossToLow', 'multi'];

export interface SamplerRow {
  sampler: string;
  /** Setting → macro of the headline measure, over seeds. */
  settings: Partial<Record<Setting, MeanSd>>;
  bias: MeanSd | null;
  /** Against the reference: p per setting (raw and corrected), and the mean difference (this − reference). */
  tests: Partial<Record<Setting, { diff: number; p: number; pAdjusted: number; significant: boolean }>>;
  /** Per language group (the query's): mono, cross by candidate group, multilingual. */
  groups: { group: 'high' | 'low'; column: GroupColumn; value: MeanSd }[];
}

export interface DatasetTable {
  dataset: string;
  metric: MetricName;
  rows: SamplerRow[];
}

export interface ExperimentResults {
  kind: 'polyglot-lab/experiment-results';
  version: 1;
  name: string;
  reference: string;
  seeds: number[];
  correction: 'holm' | 'bonferroni' | 'none';
  /** What the test is, in words. */
  testNote: string;
  tables: DatasetTable[];
  /** Run id → the trained results of that run (per evaluation dataset), for drill-down and comparison. */
  runs: Record<string, { sampler: string; seed: number; trained: EvalResults[] }>;
}

export function meanSd(xs: readonly number[]): MeanSd {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation (n − 1), 0 for one seed.
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Holm's step-down adjustment (1979): controls the family-wise error rate; Bonferroni multiplies by the family size. */
export function adjustPValues(ps: readonly number[], method: 'holm' | 'bonferroni' | 'none'): number[] {
  const m = ps.length;
  if (method === 'none') return [...ps];
  if (method === 'bonferroni') return ps.map((p) => Math.min(1, p * m));
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The mean over seeds of one sampler's results on one dataset: every pair, macro, bias and per-query value. */
export function meanResults(rs: readonly EvalResults[]): EvalResults {
  if (rs.length === 0) throw new LabError('invalid-argument', 'no results to average');
  const first = rs[0]!;
  const settings: EvalResults['settings'] = {};
  for (const [s, sr] of Object.entries(first.settings) as [Setting, SettingResult][]) {
    const pairs: SettingResult['pairs'] = {};
    for (const [key, cell] of Object.entries(sr.pairs)) {
      const avg = { ...cell } as typeof cell;
      for (const k of Object.keys(cell) as (keyof typeof cell)[]) {
        if (k === 'num_q' || k === 'num_skipped') continue;
        (avg as unknown as Record<string, number>)[k] = mean(rs.map((r) => (r.settings[s]?.pairs[key] as unknown as Record<string, number> | undefined)?.[k] ?? NaN));
      }
      pairs[key] = avg;
    }
    const macro = { ...sr.macro };
    for (const k of Object.keys(sr.macro) as (keyof typeof sr.macro)[]) {
      if (k === 'num_pairs') continue;
      (macro as unknown as Record<string, number>)[k] = mean(rs.map((r) => (r.settings[s]?.macro as unknown as Record<string, number> | undefined)?.[k] ?? NaN));
    }
    settings[s] = { macro: macro as MetricValues & { num_pairs: number }, pairs };
  }
  const out: EvalResults = { ...first, settings };
  if (first.languageBias) {
    out.languageBias = { ...first.languageBias, macro: mean(rs.map((r) => r.languageBias?.macro ?? NaN)) };
  }
  if (first.perQuery) out.perQuery = meanPerQuery(rs.map((r) => r.perQuery));
  return out;
}

function meanPerQuery(pqs: readonly (PerQueryValues | undefined)[]): PerQueryValues | undefined {
  const first = pqs[0];
  if (!first || pqs.some((p) => !p)) return undefined;
  const values: PerQueryValues['values'] = {};
  for (const [metric, byPair] of Object.entries(first.values) as [MetricName, Record<string, (number | null)[]>][]) {
    const out: Record<string, (number | null)[]> = {};
    for (const [pair, vs] of Object.entries(byPair)) {
      out[pair] = vs.map((_, i) => {
        const xs = pqs.map((p) => p!.values[metric]?.[pair]?.[i]);
        return xs.every((x): x is number => typeof x === 'number') ? mean(xs) : null;
      });
    }
    values[metric] = out;
  }
  // Every seed evaluates the same dataset, so the query lists are the same; a mismatch would misalign the average.
  for (const p of pqs) {
    for (const [lang, ids] of Object.entries(first.queries)) {
      const other = p!.queries[lang];
      if (!other || other.length !== ids.length || other.some((id, i) => id !== ids[i])) {
        throw new LabError('invalid-argument', `the runs' evaluations list different ${lang} queries`, {}, 'every run evaluated on the same dataset');
      }
    }
  }
  return { metrics: first.metrics, queries: first.queries, values };
}

/** Headline measure per dataset format (METRICS.md): LAReQA mAP, MIRACL nDCG@10. */
export function headlineMetric(r: EvalResults): MetricName {
  return r.description.format === 'miracl' ? 'ndcg_cut_10' : 'map';
}

export function aggregateExperiment(e: Experiment, runs: readonly { id: string; sampler: string; seed: number; trained: EvalResults[] }[]): ExperimentResults {
  const ref = referenceOf(e).name;
  const high = (e.highResource ?? DEFAULT_HIGH_RESOURCE) as readonly Lang[];
  const datasets = runs[0]?.trained.map((r) => r.description.dataset) ?? [];
  const tables: DatasetTable[] = [];
  const family: { p: number; set: (adj: number) => void }[] = [];
  datasets.forEach((dataset, di) => {
    const bySampler = new Map<string, EvalResults[]>();
    for (const r of runs) {
      const res = r.trained[di];
      if (!res) throw new LabError('invalid-argument', `run ${r.id} has no results for ${dataset}`);
      bySampler.set(r.sampler, [...(bySampler.get(r.sampler) ?? []), res]);
    }
    const metric = headlineMetric(bySampler.values().next().value![0]!);
    const refMean = bySampler.has(ref) ? meanResults(bySampler.get(ref)!) : undefined;
    const rows: SamplerRow[] = [];
    for (const v of e.samplers) {
      const rs = bySampler.get(v.name);
      if (!rs) continue;
      const row: SamplerRow = { sampler: v.name, settings: {}, bias: null, tests: {}, groups: [] };
      for (const s of ['mono', 'cross', 'multi'] as const) {
        const xs = rs.map((r) => r.settings[s]?.macro[metric]).filter((x): x is number => typeof x === 'number');
        if (xs.length) row.settings[s] = meanSd(xs);
      }
      const biases = rs.map((r) => r.languageBias?.macro).filter((x): x is number => typeof x === 'number');
      row.bias = biases.length ? meanSd(biases) : null;
      const perSeedGroups = rs.map((r) => groupMacros(r, metric, high));
      for (const g of perSeedGroups[0] ?? []) {
        for (const column of GROUP_COLUMNS) {
          const xs = perSeedGroups.map((pg) => pg.find((x) => x.group === g.group)?.[column].value).filter((x): x is number => typeof x === 'number');
          if (xs.length) row.groups.push({ group: g.group, column, value: meanSd(xs) });
        }
      }
      if (refMean && v.name !== ref) {
        const cmp = compareResults(refMean, meanResults(rs), metric, { permutations: e.test.iterations, seed: 1 });
        for (const st of cmp.settings) {
          if (!st.test) continue;
          const t = { diff: st.diff, p: st.test.p, pAdjusted: st.test.p, significant: false };
          row.tests[st.setting] = t;
          family.push({ p: t.p, set: (adj) => { t.pAdjusted = adj; t.significant = adj < SIGNIFICANCE_LEVEL; } });
        }
      }
      rows.push(row);
    }
    tables.push({ dataset, metric, rows });
  });
  adjustPValues(family.map((f) => f.p), e.test.correction).forEach((adj, i) => family[i]!.set(adj));
  const correction = e.test.correction === 'holm' ? "Holm's step-down correction" : e.test.correction === 'bonferroni' ? 'Bonferroni correction' : 'no correction';
  return {
    kind: 'polyglot-lab/experiment-results', version: 1, name: e.name ?? 'experiment', reference: ref, seeds: [...e.seeds], correction: e.test.correction,
    testNote: `Paired randomization test over queries (${e.test.iterations} seeded sign flips, exact up to 16 queries) of each sampler's setting macro against ${ref}'s, `
      + `per-query values averaged over the ${e.seeds.length} seed(s) first; p-values adjusted with ${correction} over all ${family.length} tests; significant at ${SIGNIFICANCE_LEVEL} after adjustment.`,
    tables,
    runs: Object.fromEntries(runs.map((r) => [r.id, { sampler: r.sampler, seed: r.seed, trained: r.trained }])),
  };
}
