/** Display helpers (en-US grouping so counts read "13,014" whatever the browser locale). */
export { formatBytes } from '../store/storage-info.ts';

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
