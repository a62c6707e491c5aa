/**
 * What the Train panel draws, derived from a run's history (plain numbers
 * the core logged): the series of each live chart, and the line under the
 * progress bar. No numerics beyond picking fields: every value is a field of
 * a HistoryEntry.
 */
import type { HistoryEntry } from '../../core/train/trainer.ts';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartData {
  title: string;
  steps: number[];
  series: ChartSeries[];
  /** Logarithmic y axis (the learning rate spans decades in warmup). */
  log?: boolean;
  /** Tick labels in exponent notation (learning rates). */
  exponent?: boolean;
}

const field = (h: HistoryEntry[], f: (e: HistoryEntry) => number | undefined): (number | null)[] =>
  h.map((e) => { const v = f(e); return v === undefined || !Number.isFinite(v) ? null : v; });

/** The four live charts: loss, alpha, learning rate, validation mAP per setting. */
export function trainCharts(history: HistoryEntry[]): ChartData[] {
  const steps = history.map((e) => e.step);
  const validated = history.some((e) => e.val_loss_mono !== undefined || e.val_loss_cross !== undefined);
  const mapped = history.some((e) => e.val_map_mono !== undefined);
  return [
    {
      title: 'Loss', steps,
      series: [
        { label: 'training', values: field(history, (e) => e.loss) },
        ...(validated ? [
          { label: 'validation X-X', values: field(history, (e) => e.val_loss_mono) },
          { label: 'validation X-Y', values: field(history, (e) => e.val_loss_cross) },
        ] : []),
      ],
    },
    { title: 'Alpha (share of X-X batches)', steps, series: [{ label: 'alpha', values: field(history, (e) => e.alpha) }] },
    { title: 'Learning rate', steps, exponent: true, series: [{ label: 'lr', values: field(history, (e) => e.lr) }] },
    ...(mapped ? [{
      title: 'Validation mAP', steps,
      series: [
        { label: 'mono', values: field(history, (e) => e.val_map_mono) },
        { label: 'cross', values: field(history, (e) => e.val_map_cross) },
        { label: 'multilingual', values: field(history, (e) => e.val_map_multi) },
      ],
    }] : []),
  ];
}

/** Examples per second over the last `window` steps, from the worker's arrival times (ms). */
export function examplesPerSecond(history: HistoryEntry[], arrivals: number[], window = 20): number | null {
  const n = Math.min(history.length, arrivals.length);
  if (n < 2) return null;
  const from = Math.max(0, n - 1 - window);
  const ms = arrivals[n - 1]! - arrivals[from]!;
  if (ms <= 0) return null;
  let ex = 0;
  for (let i = from + 1; i < n; i++) ex += history[i]!.examples;
  return ex / (ms / 1000);
}
