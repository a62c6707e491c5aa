/**
 * What the embedding map draws: each point scaled into the plot box and
 * coloured by its language (d3-scale-chromatic's Tableau 10, then Set3),
 * and the legend with counts. Only scaling and lookups.
 */
import { schemeSet3, schemeTableau10 } from 'd3-scale-chromatic';
import type { EmbeddingMap } from '../../core/eval/projection.ts';

export interface PlotPoint {
  id: string;
  lang: string;
  text: string;
  cx: number;
  cy: number;
  colour: string;
}

const PALETTE = [...schemeTableau10, ...schemeSet3];

export function languageColours(langs: readonly string[]): Record<string, string> {
  return Object.fromEntries([...new Set(langs)].sort().map((l, i) => [l, PALETTE[i % PALETTE.length]!]));
}

export function plotPoints(map: EmbeddingMap, width: number, height: number, pad = 10): { points: PlotPoint[]; legend: { lang: string; colour: string; count: number }[] } {
  const xs = map.points.map((p) => p.x);
  const ys = map.points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (v: number) => height - pad - ((v - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const colours = languageColours(map.points.map((p) => p.lang));
  const counts = new Map<string, number>();
  for (const p of map.points) counts.set(p.lang, (counts.get(p.lang) ?? 0) + 1);
  return {
    points: map.points.map((p) => ({ id: p.id, lang: p.lang, text: p.text, cx: sx(p.x), cy: sy(p.y), colour: colours[p.lang]! })),
    legend: [...counts.keys()].sort().map((lang) => ({ lang, colour: colours[lang]!, count: counts.get(lang)! })),
  };
}
