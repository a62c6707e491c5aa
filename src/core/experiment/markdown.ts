/**
 * results.md of an experiment: per evaluation dataset, the paper's layout
 * (Tables 1–2: samplers as rows, mono / cross / multilingual retrieval and the
 * language bias as columns), each cell mean ± standard deviation over seeds,
 * with the difference to the reference sampler and its corrected p-value;
 * then the same split by language group; then what the test is.
 */
import type { Setting } from '../run-config.ts';
import type { ExperimentResults, GroupColumn, MeanSd } from './aggregate.ts';

const SETTINGS: readonly Setting[] = ['mono', 'cross', 'multi'];
const SETTING_TITLE: Record<Setting, string> = { mono: 'monolingual', cross: 'cross-lingual', multi: 'multilingual' };
const GROUP_TITLE: Record<GroupColumn, string> = { mono: 'mono', crossToHigh: 'cross → high', crossToLow: 'cross → low', multi: 'multi' };

const pm = (v: MeanSd | null | undefined, scale = 100, digits = 1): string =>
  v ? `${(v.mean * scale).toFixed(digits)} ± ${(v.sd * scale).toFixed(digits)}` : '—';

const pText = (p: number): string => (p < 0.001 ? '< 0.001' : p.toFixed(3));

export function experimentMarkdown(r: ExperimentResults): string {
  const lines: string[] = [`# ${r.name}`, ''];
  lines.push(`${r.seeds.length} seed(s) (${r.seeds.join(', ')}); reference sampler: **${r.reference}**. Scores ×100, mean ± standard deviation over seeds.`, '');
  for (const t of r.tables) {
    const metric = t.metric === 'map' ? 'mAP' : t.metric === 'ndcg_cut_10' ? 'nDCG@10' : t.metric;
    lines.push(`## ${t.dataset} (${metric})`, '');
    lines.push(`| sampler | ${SETTINGS.map((s) => SETTING_TITLE[s]).join(' | ')} | language bias (rank distance, lower is better) |`);
    lines.push(`|---|${SETTINGS.map(() => '---').join('|')}|---|`);
    for (const row of t.rows) {
      const cells = SETTINGS.map((s) => {
        const base = pm(row.settings[s]);
        const test = row.tests[s];
        if (!test) return row.sampler === r.reference ? `${base} (ref.)` : base;
        const sign = test.diff >= 0 ? '+' : '−';
        return `${base} (${sign}${Math.abs(test.diff * 100).toFixed(1)}, p ${pText(test.pAdjusted)}${test.significant ? ' *' : ''})`;
      });
      lines.push(`| ${row.sampler} | ${cells.join(' | ')} | ${pm(row.bias, 1, 2)} |`);
    }
    lines.push('');
    const columns = [...new Set(t.rows.flatMap((row) => row.groups.map((g) => `${g.group}:${g.column}`)))];
    if (columns.length) {
      lines.push(`By language group (query language; high-resource after Joshi et al. 2020), ${metric} ×100:`, '');
      lines.push(`| sampler | ${columns.map((c) => { const [g, col] = c.split(':') as ['high' | 'low', GroupColumn]; return `${g}: ${GROUP_TITLE[col]}`; }).join(' | ')} |`);
      lines.push(`|---|${columns.map(() => '---').join('|')}|`);
      for (const row of t.rows) {
        lines.push(`| ${row.sampler} | ${columns.map((c) => pm(row.groups.find((g) => `${g.group}:${g.column}` === c)?.value)).join(' | ')} |`);
      }
      lines.push('');
    }
  }
  lines.push(`In parentheses: the difference to ${r.reference} and its adjusted p-value; * marks a significant difference. ${r.testNote}`, '');
  return lines.join('\n');
}
