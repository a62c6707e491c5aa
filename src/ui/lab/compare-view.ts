/**
 * What the compare panel draws from a Comparison (src/core/eval/compare.ts):
 * the difference heatmap (B − A, a diverging scale centred on 0, '*' where
 * the paired test is significant) as a LareqaView the Heatmap draws, and the
 * paper-style table of macros. Only lookups and formatting.
 */
import type { Comparison, CellComparison } from '../../core/eval/compare.ts';
import { SIGNIFICANCE_LEVEL, type PairedTest } from '../../core/eval/significance.ts';
import { divergingColour, divergingGradient, divergingText, type HeatCell, type LareqaView } from '../baseline-view.ts';

export function testNote(t: PairedTest | null): string {
  if (!t) return 'not tested (no per-query values)';
  const how = t.method === 'exact' ? `exact over all ${t.permutations.toLocaleString('en')} sign assignments` : `${t.permutations.toLocaleString('en')} random sign assignments`;
  return `paired randomization test over ${t.n.toLocaleString('en')} queries (${how}): p = ${t.p < 0.001 ? t.p.toExponential(1) : t.p.toFixed(3)}${t.p < SIGNIFICANCE_LEVEL ? ', significant at 0.05' : ''}`;
}

export const significant = (t: PairedTest | null): boolean => t !== null && t.p < SIGNIFICANCE_LEVEL;

export function compareHeatView(c: Comparison, names: { a: string; b: string }): LareqaView {
  const diffs = Object.values(c.cells).map((x) => Math.abs(x.diff));
  const max = Math.max(0.05, ...diffs);
  const cell = (x: CellComparison | undefined, q: string, cand: string, setting: HeatCell['setting']): HeatCell | null => x ? {
    queryLang: q, candidateLang: cand, setting, value: x.diff, numQ: x.test?.n ?? 0, numSkipped: 0,
    background: divergingColour(x.diff, max), foreground: divergingText(x.diff, max),
    ...(significant(x.test) ? { mark: '*' } : {}), note: testNote(x.test),
  } : null;
  return {
    metric: c.metric, difference: names,
    scale: { gradient: divergingGradient(), min: `−${max.toFixed(2)}`, max: `+${max.toFixed(2)}` },
    langs: c.langs,
    rows: c.langs.map((x) => ({
      lang: x,
      cells: c.langs.map((y) => (x === y ? cell(c.cells[`mono:${x}-${y}`], x, y, 'mono') : cell(c.cells[`cross:${x}-${y}`], x, y, 'cross'))),
      multi: cell(c.cells[`multi:${x}-all`], x, 'all', 'multi'),
      bias: null,
    })),
    headlines: [], bias: null, seen: null,
  };
}

export interface MacroRow {
  name: string;
  values: Record<string, string>;
}

/** The paper's layout: one row per system, one column per setting (and rank distance), then Δ with its test. */
export function macroTable(c: Comparison, names: { a: string; b: string }): { columns: string[]; rows: MacroRow[]; delta: { column: string; text: string; significant: boolean; note: string }[] } {
  const columns = [...c.settings.map((s) => s.setting), ...(c.bias ? ['rank distance'] : [])];
  const f = (v: number) => v.toFixed(3);
  const rowOf = (name: string, pick: 'a' | 'b'): MacroRow => ({
    name,
    values: { ...Object.fromEntries(c.settings.map((s) => [s.setting, f(s[pick])])), ...(c.bias ? { 'rank distance': c.bias[pick].toFixed(1) } : {}) },
  });
  const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
  return {
    columns,
    rows: [rowOf(names.a, 'a'), rowOf(names.b, 'b')],
    delta: [
      ...c.settings.map((s) => ({ column: s.setting, text: `${signed(s.diff, 3)}${significant(s.test) ? '*' : ''}`, significant: significant(s.test), note: testNote(s.test) })),
      ...(c.bias ? [{ column: 'rank distance', text: signed(c.bias.diff, 1), significant: false, note: 'not tested' }] : []),
    ],
  };
}

/** The comparison table as Markdown (a paper's notes, a README). */
export function macroTableMarkdown(c: Comparison, names: { a: string; b: string }): string {
  const t = macroTable(c, names);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `| System | ${t.columns.join(' | ')} |`,
    `|---|${t.columns.map(() => '---:').join('|')}|`,
    ...t.rows.map((r, i) => `| ${i === 0 ? 'A' : 'B'}: ${esc(r.name)} | ${t.columns.map((col) => r.values[col]).join(' | ')} |`),
    `| B − A | ${t.delta.map((d) => d.text).join(' | ')} |`,
  ];
  return `${lines.join('\n')}\n\nMacro ${c.metric} per setting; * p < 0.05, paired randomization test over queries (no correction for multiple comparisons).\n`;
}

/** The comparison table as a LaTeX tabular (booktabs), for a paper's artifact section. */
export function macroTableLatex(c: Comparison, names: { a: string; b: string }): string {
  const t = macroTable(c, names);
  const tex = (s: string) => s.replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}').replace(/\^/g, '\\textasciicircum{}');
  const cell = (s: string) => tex(s.replace('−', '-')).replace(/\*$/, '$^{*}$');
  return [
    `\\begin{tabular}{l${'r'.repeat(t.columns.length)}}`,
    '\\toprule',
    `System & ${t.columns.map(tex).join(' & ')} \\\\`,
    '\\midrule',
    ...t.rows.map((r) => `${tex(r.name)} & ${t.columns.map((col) => cell(r.values[col] ?? '')).join(' & ')} \\\\`),
    '\\midrule',
    `$\\Delta$ & ${t.delta.map((d) => cell(d.text)).join(' & ')} \\\\`,
    '\\bottomrule',
    '\\end{tabular}',
    `% macro ${c.metric}; $^{*}$ p < 0.05, paired randomization test over queries`,
    '',
  ].join('\n');
}
