/**
 * Per-query values of a results object, for what needs more than a cell's
 * mean: paired significance tests between two results (compare), and the
 * drill-down into a pair's worst queries. Kept for the dataset protocol's
 * headline measures only (LAReQA mAP; MIRACL nDCG@10 and Recall@100), rounded
 * to 6 decimals: all of XQuAD-R is about 170,000 values, some 1.4 MB of JSON.
 *
 * Layout: the query ids of each query language once (`queries[x]`), and for
 * every measure and pair key "x-y" / "x-all" an array aligned with
 * `queries[x]`, null where the query was skipped in that pair (no relevant
 * candidate in its pool).
 */
import type { Lang } from '../dataset/types.ts';
import type { MetricName, MetricValues } from './metrics.ts';

export interface PerQueryValues {
  metrics: MetricName[];
  queries: Record<Lang, string[]>;
  values: Partial<Record<MetricName, Record<string, (number | null)[]>>>;
  /** LAReQA: each query's rank distance in the multilingual pool (worst − best rank of its relevant candidates). */
  rankDistance?: Record<Lang, (number | null)[]>;
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

export class PerQueryCollector {
  private readonly index = new Map<string, number>();
  private readonly langOf = new Map<string, Lang>();
  private readonly queries: Record<Lang, string[]> = {};
  private readonly values: Partial<Record<MetricName, Record<string, (number | null)[]>>> = {};

  constructor(queries: readonly { id: string; lang: Lang }[], private readonly metrics: readonly MetricName[]) {
    for (const q of queries) {
      const list = (this.queries[q.lang] ??= []);
      this.index.set(q.id, list.length);
      this.langOf.set(q.id, q.lang);
      list.push(q.id);
    }
    for (const m of metrics) this.values[m] = {};
  }

  add(pair: string, queryId: string, m: MetricValues): void {
    const i = this.index.get(queryId);
    const x = pair.slice(0, pair.indexOf('-'));
    const n = this.queries[x]?.length;
    if (i === undefined || n === undefined) return;
    for (const metric of this.metrics) {
      const byPair = this.values[metric]!;
      const arr = (byPair[pair] ??= new Array<number | null>(n).fill(null));
      arr[i] = round6(m[metric]);
    }
  }

  private rankDistance: Record<Lang, (number | null)[]> | undefined;

  addRankDistance(queryId: string, rd: number): void {
    const i = this.index.get(queryId);
    if (i === undefined) return;
    const lang = this.langOf.get(queryId);
    if (!lang) return;
    this.rankDistance ??= {};
    (this.rankDistance[lang] ??= new Array<number | null>(this.queries[lang]!.length).fill(null))[i] = rd;
  }

  result(): PerQueryValues {
    return { metrics: [...this.metrics], queries: this.queries, values: this.values, ...(this.rankDistance ? { rankDistance: this.rankDistance } : {}) };
  }
}

/** The values of `pair` in two results, aligned by query id: only queries judged in both. */
export function alignedValues(a: PerQueryValues, b: PerQueryValues, metric: MetricName, pair: string): { a: number[]; b: number[]; ids: string[] } | null {
  const va = a.values[metric]?.[pair];
  const vb = b.values[metric]?.[pair];
  if (!va || !vb) return null;
  const x = pair.slice(0, pair.indexOf('-'));
  const qa = a.queries[x] ?? [];
  const qb = b.queries[x] ?? [];
  const posB = new Map(qb.map((id, i) => [id, i]));
  const out = { a: [] as number[], b: [] as number[], ids: [] as string[] };
  qa.forEach((id, i) => {
    const j = posB.get(id);
    if (j === undefined) return;
    const x1 = va[i];
    const x2 = vb[j];
    if (x1 === null || x1 === undefined || x2 === null || x2 === undefined) return;
    out.a.push(x1);
    out.b.push(x2);
    out.ids.push(id);
  });
  return out;
}

/** The n lowest values of a pair (ties by query order), with their query ids: the drill-down's worst queries. */
export function worstQueries(pq: PerQueryValues, metric: MetricName, pair: string, n: number): { id: string; value: number }[] {
  const values = pq.values[metric]?.[pair];
  const ids = pq.queries[pair.slice(0, pair.indexOf('-'))];
  if (!values || !ids) return [];
  return values.flatMap((v, i) => (v === null || v === undefined ? [] : [{ id: ids[i]!, value: v, i }]))
    .sort((a, b) => a.value - b.value || a.i - b.i).slice(0, n).map(({ id, value }) => ({ id, value }));
}

export interface Histogram {
  /** bins + 1 edges; bin i holds edges[i] <= v < edges[i + 1] (the last bin includes its upper edge). */
  edges: number[];
  counts: number[];
}

/** Equal-width histogram from 0 to the largest value (rank distances are ≥ 0). */
export function histogram(values: readonly (number | null)[], bins: number): Histogram {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const max = v.reduce((m, x) => (x > m ? x : m), 0); // no spread: a large pool's queries would overflow the stack
  const width = max > 0 ? max / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const x of v) counts[Math.min(bins - 1, Math.floor(x / width))]!++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i * width), counts };
}
