/**
 * results.md of an experiment: per evaluation dataset, the paper's layout
 * (Tables 1–2: samplers as rows, mono / cross / multilingual retrieval and the
 * language bias as columns), each cell mean ± standard deviation over seeds,
 * with the difference to the reference sampler and its corrected p-value;
 * then the same split by language group; then what the test is.
 */
import type { Setting } from '../run-config.ts';
import type { DatasetTable, ExperimentResults, GroupColumn, MeanSd, SamplerRow } from './aggregate.ts';

export const SETTINGS: readonly Setting[] = ['mono', 'cross', 'multi'];
export const SETTING_TITLE: Record<Setting, string> = { mono: 'monolingual', cross: 'cross-lingual', multi: 'multilingual' };
export const GROUP_TITLE: Record<GroupColumn, string> = { mono: 'mono', crossToHigh: 'cross → high', crossToLow: 'cross → low', multi: 'multi' };

/** `mean ± sd`, scaled (×100 for scores, ×1 for the bias), or a dash. */
export const pm = (v: MeanSd | null | undefined, scale = 100, digits = 1): string =>
  v ? `${(v.mean * scale).toFixed(digits)} ± ${(v.sd * scale).toFixed(digits)}` : '—';

const pText = (p: number): string => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/** The test against the reference, as the tables show it: `+1.2, p 0.031 *`, or null (the reference itself, or untested). */
export function testText(row: SamplerRow, s: Setting): string | null {
  const test = row.tests[s];
  if (!test) return null;
  const sign = test.diff >= 0 ? '+' : '−';
  return `${sign}${Math.abs(test.diff * 100).toFixed(1)}, p ${pText(test.pAdjusted)}${test.significant ? ' *' : ''}`;
}

/** The group columns a table has, as `high:mono` keys, in first-seen order. */
export function groupColumns(t: DatasetTable): { key: string; title: string }[] {
  const keys = [...new Set(t.rows.flatMap((row) => row.groups.map((g) => `${g.group}:${g.column}`)))];
  return keys.map((key) => { const [g, col] = key.split(':') as ['high' | 'low', GroupColumn]; return { key, title: `${g}: ${GROUP_TITLE[col]}` }; });
}

export function groupValue(row: SamplerRow, key: string): MeanSd | undefined {
  return row.groups.find((g) => `${g.group}:${g.column}` === key)?.value;
}

export function metricTitle(m: DatasetTable['metric']): string {
  return m === 'map' ? 'mAP' : m === 'ndcg_cut_10' ? 'nDCG@10' : m;
}

export function experimentMarkdown(r: ExperimentResults): string {
  const lines: string[] = [`# ${r.name}`, ''];
  lines.push(`${r.seeds.length} seed(s) (${r.seeds.join(', ')}); reference sampler: **${r.reference}**. Scores ×100, mean ± standard deviation over seeds.`, '');
  for (const t of r.tables) {
    const metric = metricTitle(t.metric);
    lines.push(`## ${t.dataset} (${metric})`, '');
    lines.push(`| sampler | ${SETTINGS.map((s) => SETTING_TITLE[s]).join(' | ')} | language bias (rank distance, lower is better) |`);
    lines.push(`|---|${SETTINGS.map(() => '---').join('|')}|---|`);
    for (const row of t.rows) {
      const cells = SETTINGS.map((s) => {
        const base = pm(row.settings[s]);
        const test = testText(row, s);
        return test ? `${base} (${test})` : row.sampler === r.reference ? `${base} (ref.)` : base;
      });
      lines.push(`| ${row.sampler} | ${cells.join(' | ')} | ${pm(row.bias, 1, 2)} |`);
    }
    lines.push('');
    const columns = groupColumns(t);
    if (columns.length) {
      lines.push(`By language group (query language; high-resource after Joshi et al. 2020), ${metric} ×100:`, '');
      lines.push(`| sampler | ${columns.map((c) => c.title).join(' | ')} |`);
      lines.push(`|---|${columns.map(() => '---').join('|')}|`);
      for (const row of t.rows) {
        lines.push(`| ${row.sampler} | ${columns.map((c) => pm(groupValue(row, c.key))).join(' | ')} |`);
      }
      lines.push('');
    }
  }
  lines.push(`In parentheses: the difference to ${r.reference} and its adjusted p-value; * marks a significant difference. ${r.testNote}`, '');
  return lines.join('\n');
}
