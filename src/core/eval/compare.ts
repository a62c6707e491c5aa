/**
 * Two results objects side by side (BM25 vs base vs trained; X-X vs X-Y vs
 * hybrid): per pair the difference B − A of a measure, with a paired
 * randomization test over the queries judged in both (significance.ts);
 * per setting the difference of macros with the same test over all the
 * setting's pairs (the paper's Tables 1 and 2); and the rank distance.
 * Significance needs per-query values (results.perQuery); without them
 * (an old file, a share link) the differences are shown untested.
 */
import { LabError } from '../errors.ts';
import type { Lang } from '../dataset/types.ts';
import type { Setting } from '../run-config.ts';
import type { MetricName } from './metrics.ts';
import { alignedValues } from './per-query.ts';
import type { EvalResults } from './results.ts';
import { randomizationTest, type PairedTest, type TestOptions } from './significance.ts';

export interface CellComparison {
  setting: Setting;
  pair: string;
  a: number;
  b: number;
  diff: number;
  test: PairedTest | null;
}

export interface SettingComparison {
  setting: Setting;
  a: number;
  b: number;
  diff: number;
  pairs: number;
  test: PairedTest | null;
}

export interface Comparison {
  metric: MetricName;
  format: EvalResults['description']['format'];
  /** Languages in both results. */
  langs: Lang[];
  cells: Record<string, CellComparison>;
  settings: SettingComparison[];
  bias: { a: number; b: number; diff: number } | null;
  /** Why there is no significance (no per-query values for this measure), or null. */
  untested: string | null;
}

export function compareResults(a: EvalResults, b: EvalResults, metric: MetricName, opts: TestOptions = {}): Comparison {
  if (a.description.format !== b.description.format) {
    throw new LabError('invalid-argument', `the results are of a ${a.description.format} and a ${b.description.format} dataset`, {}, 'two results of the same kind of dataset');
  }
  const langs = a.counts.languages.filter((l) => b.counts.languages.includes(l));
  if (langs.length === 0) throw new LabError('invalid-argument', 'the two results share no language', {}, 'two results on the same dataset');
  const tested = a.perQuery?.values[metric] && b.perQuery?.values[metric];
  const untested = tested ? null : `no per-query ${metric} in ${!a.perQuery?.values[metric] ? 'A' : 'B'} (results from before per-query values were kept, or a share link): differences are not tested`;
  const cells: Record<string, CellComparison> = {};
  const settings: SettingComparison[] = [];
  for (const setting of ['mono', 'cross', 'multi'] as const) {
    const sa = a.settings[setting];
    const sb = b.settings[setting];
    if (!sa || !sb) continue;
    const groups: number[][] = [];
    const diffs: number[] = [];
    const av: number[] = [];
    const bv: number[] = [];
    for (const x of langs) {
      for (const y of setting === 'multi' ? ['all'] : langs) {
        if ((setting === 'mono') !== (x === y) && setting !== 'multi') continue;
        const key = `${x}-${y}`;
        const pa = sa.pairs[key];
        const pb = sb.pairs[key];
        if (!pa || !pb || pa.num_q === 0 || pb.num_q === 0) continue;
        let test: PairedTest | null = null;
        if (tested) {
          const al = alignedValues(a.perQuery!, b.perQuery!, metric, key);
          if (al && al.a.length > 0) {
            const d = al.b.map((v, i) => v - al.a[i]!);
            groups.push(d);
            test = randomizationTest([d], opts);
          }
        }
        cells[`${setting}:${key}`] = { setting, pair: key, a: pa[metric], b: pb[metric], diff: pb[metric] - pa[metric], test };
        av.push(pa[metric]);
        bv.push(pb[metric]);
        diffs.push(pb[metric] - pa[metric]);
      }
    }
    if (av.length === 0) continue;
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    settings.push({
      setting, a: mean(av), b: mean(bv), diff: mean(bv) - mean(av), pairs: av.length,
      test: tested && groups.length ? randomizationTest(groups, opts) : null,
    });
  }
  const bias = a.languageBias && b.languageBias ? { a: a.languageBias.macro, b: b.languageBias.macro, diff: b.languageBias.macro - a.languageBias.macro } : null;
  return { metric, format: a.description.format, langs, cells, settings, bias, untested };
}
