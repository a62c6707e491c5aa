/**
 * The one way the lab writes sizes and counts for people (page, CLI, errors),
 * so "2.9 kB" never stands next to "2.9 KB".
 */
const KB = 1024;
const MB = KB * KB;
const GB = KB * MB;

/** Binary multiples: "512 B", "97.7 kB", "4.8 MB", "1.07 GB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= GB) return `${(n / GB).toFixed(2)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  if (n >= KB) return `${(n / KB).toFixed(1)} kB`;
  return `${n} B`;
}

/** "1 language", "2 languages", "13,014 candidates". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "42 s", "3 min 5 s", "1 h 2 min": for ETAs and durations. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
