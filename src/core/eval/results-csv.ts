/**
 * A results object as CSV: one row per (setting, pair) with every measure
 * and the query counts, plus the rank distance per query language — what a
 * spreadsheet or pandas wants. Fields that could start a formula (=, +, -, @)
 * are quoted with a leading apostrophe, so a model name cannot run in Excel.
 */
import { METRIC_NAMES } from './metrics.ts';
import type { EvalResults } from './results.ts';

function field(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function resultsToCsv(r: EvalResults): string {
  const head = ['model', 'dataset', 'setting', 'query_lang', 'candidate_lang', ...METRIC_NAMES, 'num_q', 'num_skipped', 'rank_distance'];
  const rows: (string | number)[][] = [];
  for (const setting of ['mono', 'cross', 'multi'] as const) {
    const s = r.settings[setting];
    if (!s) continue;
    for (const [key, p] of Object.entries(s.pairs)) {
      const [x, y] = [key.slice(0, key.indexOf('-')), key.slice(key.indexOf('-') + 1)];
      const rd = setting === 'multi' ? r.languageBias?.byQueryLang[x] ?? '' : '';
      rows.push([r.description.model, r.description.dataset, setting, x, y, ...METRIC_NAMES.map((m) => p[m]), p.num_q, p.num_skipped, rd]);
    }
  }
  return `${[head, ...rows].map((row) => row.map(field).join(',')).join('\n')}\n`;
}
