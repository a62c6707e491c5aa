/**
 * What the baseline panel draws, read straight off a results object: the
 * (query language x candidate language) mAP matrix (mono on the diagonal,
 * cross elsewhere), the multilingual column and the rank distance per query
 * language, the headline macros, MIRACL's per-language table, and the colour
 * of each cell. No metric is computed here: every number is a field of
 * EvalResults (src/core/eval/results.ts), only looked up and formatted.
 */
import { interpolateRdBu } from 'd3-scale-chromatic';
import type { Lang } from '../core/dataset/types.ts';
import type { EvalResults, PairResult } from '../core/eval/results.ts';
import { METRICS, type MetricName } from '../core/eval/metrics.ts';
import { plural } from '../core/format.ts';

/** What a heatmap can show: any metric of the table, or the rank gap of a pair in the multilingual pool. */
export type HeatMetric = MetricName | 'rank_gap';

export const HEAT_METRICS: readonly { id: HeatMetric; label: string; about: string }[] = [
  ...METRICS.map((m) => ({ id: m.name as HeatMetric, label: m.label, about: `${m.label} per query, averaged over the cell's judged queries; 0 to 1, higher is better` })),
  { id: 'rank_gap', label: 'Rank gap', about: "mean (rank of the relevant candidate in y − rank of the one in x) for x's queries, in the multilingual pool; 0 is unbiased, positive favours the query's own language" },
];

export function heatMetricLabel(m: HeatMetric): string {
  return HEAT_METRICS.find((x) => x.id === m)?.label ?? m;
}

export interface HeatCell {
  queryLang: Lang;
  candidateLang: Lang | 'all';
  setting: 'mono' | 'cross' | 'multi';
  /** The chosen metric's value (`metric` of the view). */
  value: number;
  numQ: number;
  numSkipped: number;
  background: string;
  foreground: string;
  /** Difference views: '*' when the paired test finds the difference significant, and the test in words. */
  mark?: string;
  note?: string;
}

export interface HeatRow {
  lang: Lang;
  /** One per candidate language, in `langs` order; null when the results lack the pair. */
  cells: (HeatCell | null)[];
  multi: HeatCell | null;
  /** Mean rank distance of this language's queries in the multilingual pool, and how many queries. */
  bias: { value: number; numQ: number } | null;
}

export interface Headline {
  setting: 'mono' | 'cross' | 'multi';
  label: string;
  /** null when the setting needs more languages than the dataset has. */
  map: number | null;
  /** In words: what the macro averages over. */
  averaging: string;
}

export interface LareqaView {
  metric: HeatMetric;
  /** Set on a difference view (B − A): values are signed differences of `metric`. */
  difference?: { a: string; b: string };
  /** The colour bar for this metric: a CSS gradient and its two end labels. */
  scale: { gradient: string; min: string; max: string };
  langs: Lang[];
  rows: HeatRow[];
  headlines: Headline[];
  /** macro null: fewer than two languages, so no rank distance. */
  bias: { macro: number | null; numLangs: number } | null;
  /** Of a training run's results: the languages its training drew from and those held out; null otherwise. */
  seen: { langs: Lang[]; heldOut: Lang[]; steps: number } | null;
}

export interface MiraclRow {
  lang: Lang;
  ndcg10: number;
  recall100: number;
  numQ: number;
  numSkipped: number;
}

export interface MiraclView {
  rows: MiraclRow[];
  macro: { ndcg10: number; recall100: number; numLangs: number } | null;
}

/** Sequential scale (ColorBrewer YlGnBu) from 0 to 1: the eye reads "darker = better" in every pair at once. */
const STOPS: [number, [number, number, number]][] = [
  [0, [255, 255, 217]], [0.25, [199, 233, 180]], [0.5, [65, 182, 196]], [0.75, [34, 94, 168]], [1, [8, 29, 88]],
];

export function heatColour(v: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i]!;
    const [x0, c0] = STOPS[i - 1]!;
    if (x <= x1) {
      const t = (x - x0) / (x1 - x0);
      const c = c0.map((a, k) => Math.round(a + (c1[k]! - a) * t));
      return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    }
  }
  return 'rgb(8, 29, 88)';
}

/** Text colour that stays readable on heatColour(v). */
export function heatText(v: number): string {
  return v > 0.45 ? '#fff' : '#1d2330';
}

/** The colour bar under the heatmap. */
export function heatGradient(): string {
  return `linear-gradient(to right, ${STOPS.map(([x]) => `${heatColour(x)} ${x * 100}%`).join(', ')})`;
}

/** Diverging scale centred on 0 (d3's RdBu: red below, blue above), saturating at ±max. */
export function divergingColour(v: number, max: number): string {
  const t = max > 0 && Number.isFinite(v) ? Math.min(1, Math.max(-1, v / max)) : 0;
  return interpolateRdBu(0.5 + t / 2);
}

export function divergingText(v: number, max: number): string {
  return max > 0 && Math.abs(v / max) > 0.6 ? '#fff' : '#1d2330';
}

export function divergingGradient(): string {
  return `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((x) => `${interpolateRdBu(x)} ${x * 100}%`).join(', ')})`;
}

function cell(pair: PairResult | undefined, queryLang: Lang, candidateLang: Lang | 'all', setting: HeatCell['setting'], metric: MetricName): HeatCell | null {
  if (!pair) return null;
  const v = pair[metric];
  return {
    queryLang, candidateLang, setting, value: v, numQ: pair.num_q, numSkipped: pair.num_skipped,
    background: heatColour(v), foreground: heatText(v),
  };
}

function gapCell(r: EvalResults, x: Lang, y: Lang, max: number): HeatCell | null {
  const g = r.languageBias?.pairs[`${x}-${y}`];
  if (!g || x === y) return null;
  return {
    queryLang: x, candidateLang: y, setting: 'cross', value: g.meanRankGap, numQ: g.num_q, numSkipped: 0,
    background: divergingColour(g.meanRankGap, max), foreground: divergingText(g.meanRankGap, max),
  };
}

/** `order`: the languages in display order (e.g. high-resource first); languages of `r` missing from it follow. */
export function lareqaView(r: EvalResults, metric: HeatMetric = 'map', order?: readonly Lang[]): LareqaView {
  const present = r.counts.languages;
  const langs = order ? [...order.filter((l) => present.includes(l)), ...present.filter((l) => !order.includes(l))] : present;
  const { mono, cross, multi } = r.settings;
  const gaps = Object.values(r.languageBias?.pairs ?? {}).map((g) => Math.abs(g.meanRankGap)).filter(Number.isFinite);
  const maxGap = gaps.length ? Math.max(...gaps) : 0;
  const rows = langs.map((x): HeatRow => ({
    lang: x,
    cells: langs.map((y) => (metric === 'rank_gap' ? gapCell(r, x, y, maxGap)
      : x === y ? cell(mono?.pairs[`${x}-${y}`], x, y, 'mono', metric) : cell(cross?.pairs[`${x}-${y}`], x, y, 'cross', metric))),
    multi: metric === 'rank_gap' ? null : cell(multi?.pairs[`${x}-all`], x, 'all', 'multi', metric),
    bias: r.languageBias && r.languageBias.byQueryLang[x] !== undefined
      ? { value: r.languageBias.byQueryLang[x]!, numQ: r.languageBias.numQ[x] ?? 0 } : null,
  }));
  const headlines: Headline[] = [];
  // With one language there is no cross-lingual pair and no rank distance to speak of: say so instead of "0.000 over 0 pairs".
  const needsTwo = langs.length < 2 ? 'needs two or more languages' : null;
  if (mono) headlines.push({ setting: 'mono', label: 'Monolingual', map: mono.macro.map, averaging: `unweighted mean over ${plural(mono.macro.num_pairs, 'language')} (x → x)` });
  if (cross) headlines.push({ setting: 'cross', label: 'Cross-lingual', map: needsTwo ? null : cross.macro.map, averaging: needsTwo ?? `unweighted mean over ${plural(cross.macro.num_pairs, 'pair')} (x → y, x ≠ y)` });
  if (multi) headlines.push({ setting: 'multi', label: 'Multilingual', map: multi.macro.map, averaging: `unweighted mean over ${plural(multi.macro.num_pairs, 'query language')} (x → pool of all)` });
  const bias = r.languageBias ? { macro: needsTwo ? null : r.languageBias.macro, numLangs: Object.keys(r.languageBias.byQueryLang).length } : null;
  const t = r.description.training;
  const seen = t ? { langs: t.languages, heldOut: t.heldOut, steps: t.steps } : null;
  const scale = metric === 'rank_gap'
    ? { gradient: divergingGradient(), min: `−${formatGap(maxGap)}`, max: `+${formatGap(maxGap)}` }
    : { gradient: heatGradient(), min: '0', max: '1' };
  return { metric, scale, langs, rows, headlines, bias, seen };
}

function formatGap(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** Whether a language of the view was seen in its run's training: 'seen', 'held-out', 'unseen' (not in the training data), or null outside a run. */
export function trainingMark(view: Pick<LareqaView, 'seen'>, lang: string): 'seen' | 'held-out' | 'unseen' | null {
  if (!view.seen) return null;
  if (view.seen.langs.includes(lang)) return 'seen';
  return view.seen.heldOut.includes(lang) ? 'held-out' : 'unseen';
}

export function miraclView(r: EvalResults): MiraclView {
  const mono = r.settings.mono;
  if (!mono) return { rows: [], macro: null };
  const rows = r.counts.languages.flatMap((l): MiraclRow[] => {
    const p = mono.pairs[`${l}-${l}`];
    return p ? [{ lang: l, ndcg10: p.ndcg_cut_10, recall100: p.recall_100, numQ: p.num_q, numSkipped: p.num_skipped }] : [];
  });
  return { rows, macro: { ndcg10: mono.macro.ndcg_cut_10, recall100: mono.macro.recall_100, numLangs: mono.macro.num_pairs } };
}

/** Bytes per run line measured on XQuAD-R (`de/56be… Q0 de/0/0/0 1 16.836754504017296 polyglot-lab.bm25.multi`). */
export const RUN_LINE_BYTES = 83;
/** Larger run files are left to `lab bm25`, which streams to disk: the page builds the file in memory first. */
export const MAX_RUN_BYTES = 2 * 1024 ** 3;

/**
 * Lines the run file of a setting will have, from the dataset's per-language
 * counts: mono, each query against its language's candidates; cross, against
 * every other language's; multi, against the whole pool; `depth` caps each list.
 */
export function runLines(perLanguage: readonly { lang: Lang; queries: number; candidates: number }[], setting: 'mono' | 'cross' | 'multi', depth: number | 'all'): number {
  const cap = (n: number) => (depth === 'all' ? n : Math.min(depth, n));
  const all = perLanguage.reduce((s, l) => s + l.candidates, 0);
  let lines = 0;
  for (const x of perLanguage) {
    if (setting === 'mono') lines += x.queries * cap(x.candidates);
    else if (setting === 'multi') lines += x.queries * cap(all);
    else for (const y of perLanguage) if (y.lang !== x.lang) lines += x.queries * cap(y.candidates);
  }
  return lines;
}
