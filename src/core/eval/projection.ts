/**
 * 2-D maps of embeddings, where language bias becomes visible: candidates
 * that cluster by language rather than by meaning. A stratified, seeded
 * sample of a pool's candidates per language, projected with PCA (the two
 * directions of largest variance; exact, fast, comparable across models) or
 * UMAP (umap-js, seeded: neighbourhoods rather than variance).
 *
 * PCA runs power iteration on XᵀX without forming the d × d covariance
 * (two products with X per iteration), deflating the first component for the
 * second; signs are fixed so the largest coordinate is positive, so two runs
 * and two implementations agree (checked against numpy's SVD).
 */
import { UMAP } from 'umap-js';
import { LabError } from '../errors.ts';
import type { Lang } from '../dataset/types.ts';
import { mulberry32 } from '../random.ts';
import type { EmbeddingMatrix } from './scorer.ts';

export type ProjectionMethod = 'pca' | 'umap';

export interface MapPoint {
  id: string;
  lang: Lang;
  /** The candidate's text, cut to 200 characters (enough to read on hover). */
  text: string;
  x: number;
  y: number;
}

export interface EmbeddingMap {
  method: ProjectionMethod;
  points: MapPoint[];
  /** PCA: share of the sample's variance on each axis. */
  explained?: [number, number];
}

/** Up to `perLang` row indices per language, seeded, in a stable order. */
export function stratifiedSample(langs: readonly Lang[], perLang: number, seed: number): number[] {
  const byLang = new Map<Lang, number[]>();
  langs.forEach((l, i) => { const list = byLang.get(l) ?? []; list.push(i); byLang.set(l, list); });
  const rnd = mulberry32(seed);
  const out: number[] = [];
  for (const l of [...byLang.keys()].sort()) {
    const rows = byLang.get(l)!;
    for (let i = rows.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [rows[i], rows[j]] = [rows[j]!, rows[i]!]; }
    out.push(...rows.slice(0, perLang).sort((a, b) => a - b));
  }
  return out;
}

/** The rows' top two principal-component coordinates (rows centred), and the variance share of each. */
export function pca2(m: EmbeddingMatrix, iterations = 200): { coords: Float64Array; explained: [number, number] } {
  const { rows: n, dim: d, data } = m;
  if (n < 2) throw new LabError('invalid-argument', `a map needs two or more points (got ${n})`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  const x = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const v = data[i * d + j]! - mean[j]!; x[i * d + j] = v; total += v * v; }
  const comps: Float64Array[] = [];
  const vars: number[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d).map((_, j) => 1 / Math.sqrt(d) + (j === c ? 1 : 0));
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      // w = Xᵀ (X v), minus the found component (deflation).
      const xv = new Float64Array(n);
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += x[i * d + j]! * v[j]!; xv[i] = s; }
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) { const s = xv[i]!; if (s !== 0) for (let j = 0; j < d; j++) w[j]! += x[i * d + j]! * s; }
      for (const [k, u] of comps.entries()) { let dot = 0; for (let j = 0; j < d; j++) dot += w[j]! * u[j]!; void k; for (let j = 0; j < d; j++) w[j]! -= dot * u[j]!; }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      lambda = norm;
      v = w.map((t) => t / norm);
    }
    comps.push(v);
    vars.push(lambda);
  }
  const coords = new Float64Array(n * 2);
  for (let c = 0; c < 2; c++) {
    const u = comps[c]!;
    let maxAbs = 0;
    let sign = 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * u[j]!;
      coords[i * 2 + c] = s;
      if (Math.abs(s) > maxAbs) { maxAbs = Math.abs(s); sign = s < 0 ? -1 : 1; }
    }
    if (sign < 0) for (let i = 0; i < n; i++) coords[i * 2 + c] = -coords[i * 2 + c]!;
  }
  return { coords, explained: [total > 0 ? vars[0]! / total : 0, total > 0 ? vars[1]! / total : 0] };
}

/** UMAP to two dimensions (umap-js), seeded so a map is reproducible. */
export function umap2(m: EmbeddingMatrix, seed: number): Float64Array {
  if (m.rows < 3) throw new LabError('invalid-argument', `UMAP needs three or more points (got ${m.rows})`);
  const rows = Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.dim, (i + 1) * m.dim)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, m.rows - 1), minDist: 0.1, nEpochs: 200, random: mulberry32(seed) });
  const out = umap.fit(rows);
  return Float64Array.from(out.flat());
}

/** The map of a sample of candidates: `embeddings` rows aligned with `items`. */
export function embeddingMap(embeddings: EmbeddingMatrix, items: readonly { id: string; lang: Lang; text: string }[], opts: { method: ProjectionMethod; perLang: number; seed: number }): EmbeddingMap {
  if (embeddings.rows !== items.length) throw new LabError('invalid-argument', `${embeddings.rows} embeddings for ${items.length} candidates`);
  const sample = stratifiedSample(items.map((x) => x.lang), opts.perLang, opts.seed);
  const sub: EmbeddingMatrix = { rows: sample.length, dim: embeddings.dim, data: new Float32Array(sample.length * embeddings.dim) };
  sample.forEach((r, i) => sub.data.set(embeddings.data.subarray(r * embeddings.dim, (r + 1) * embeddings.dim), i * embeddings.dim));
  let coords: Float64Array;
  let explained: [number, number] | undefined;
  if (opts.method === 'pca') ({ coords, explained } = pca2(sub));
  else coords = umap2(sub, opts.seed);
  const points = sample.map((r, i): MapPoint => {
    const it = items[r]!;
    return { id: it.id, lang: it.lang, text: it.text.length > 200 ? `${it.text.slice(0, 199)}…` : it.text, x: coords[i * 2]!, y: coords[i * 2 + 1]! };
  });
  return { method: opts.method, points, ...(explained ? { explained } : {}) };
}
