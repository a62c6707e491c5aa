/** Display helpers (en-US grouping so counts read "13,014" whatever the browser locale). */
export { formatBytes, formatDuration, plural } from '../core/format.ts';

const int = new Intl.NumberFormat('en-US');
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatCount(n: number): string {
  return int.format(n);
}

export function formatMean(n: number): string {
  return dec.format(n);
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const score = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const rank = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A metric in [0, 1] (mAP, nDCG, recall) to 3 decimals: "0.812". */
export function formatScore(n: number): string {
  return score.format(n);
}

/** A mean rank distance: "2,181.3". */
export function formatRank(n: number): string {
  return rank.format(n);
}
