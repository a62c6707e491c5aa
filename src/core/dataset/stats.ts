/** datasetStats: exactly the JSON `npm run lab -- inspect` prints (DatasetStats). */
import { own } from '../ids.ts';
import type { Dataset, DatasetStats, Lang } from './types.ts';

export function datasetStats(ds: Dataset): DatasetStats {
  const queries: Record<Lang, number> = {};
  const candidates: Record<Lang, number> = {};
  for (const l of ds.languages) {
    queries[l] = 0;
    candidates[l] = 0;
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  const see = (k: number): void => {
    if (k < min) min = k;
    if (k > max) max = k;
    sum += k;
    n++;
  };

  if (ds.format === 'pairs') {
    // A pair is one query with one positive; candidates are the distinct passages per language.
    const distinct = new Map<Lang, Set<string>>();
    for (const p of ds.pairs) {
      queries[p.queryLang] = (queries[p.queryLang] ?? 0) + 1;
      let set = distinct.get(p.passageLang);
      if (!set) distinct.set(p.passageLang, (set = new Set()));
      set.add(p.positive);
      for (const neg of p.negatives) set.add(neg);
      see(1);
    }
    for (const [l, set] of distinct) candidates[l] = set.size;
  } else {
    for (const q of ds.queries) {
      queries[q.lang] = (queries[q.lang] ?? 0) + 1;
      const rel = own(ds.qrels, q.id);
      let k = 0;
      if (rel) for (const pid of Object.keys(rel)) if (rel[pid]! >= 1) k++;
      see(k);
    }
    for (const p of ds.passages) candidates[p.lang] = (candidates[p.lang] ?? 0) + 1;
  }
  return {
    languages: [...ds.languages],
    queries: sortKeys(queries),
    candidates: sortKeys(candidates),
    relevantPerQuery: n === 0 ? { min: 0, mean: 0, max: 0 } : { min, mean: round(sum / n), max },
    errors: [...ds.diagnostics],
  };
}

/** Stats for nothing loaded (every file failed), with the errors that explain why. */
export function emptyStats(errors: DatasetStats['errors'] = []): DatasetStats {
  return { languages: [], queries: {}, candidates: {}, relevantPerQuery: { min: 0, mean: 0, max: 0 }, errors };
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
