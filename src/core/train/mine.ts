/**
 * Hard-negative mining, as FlagEmbedding's `hn_mine` does it: for every training
 * pair, rank the candidate passages of the positive's language by a model (BM25,
 * or a dense encoder through the same ScoringModel the evaluator uses), keep the
 * ranks inside a window (e.g. 10–100: the very top is skipped, since it holds
 * likely false negatives), drop anything relevant to the pair's parallel group
 * (its positive in any language, every passage the qrels judge relevant to any
 * of the group's queries), and draw `perPair` of the rest with a seeded RNG.
 *
 * The candidates are the training data's own passages: every sentence of a
 * LAReQA split, a MIRACL / BEIR corpus, or (training-pairs JSONL, which has no
 * corpus) the positives of all pairs. Negatives are attached to the pair's
 * passage side, so they are in the passage's language, for mono and
 * cross-lingual pairs alike.
 */
import { passageText } from '../bm25/search.ts';
import { LabError } from '../errors.ts';
import { own } from '../ids.ts';
import type { Dataset, Lang, Passage, Query } from '../dataset/types.ts';
import type { ScoringModel } from '../eval/scoring-model.ts';
import { rowsPerBlock } from '../eval/scorer.ts';
import { SeededRng } from '../random.ts';
import type { TrainingPool } from './pool.ts';

export interface MiningSettings {
  /** First and last rank (1-based, inclusive) a negative may come from. */
  from: number;
  to: number;
  perPair: number;
  seed: number;
}

export interface MinedNegative {
  text: string;
  /** The candidate's id in the mining pool (the dataset's passage id, or `{lang}/{group}` for a pair's positive). */
  id: string;
  /** 1-based rank of the candidate for the pair's query. */
  rank: number;
}

/** What was mined for one pair side: the group, the languages, the query ranked with, the negatives. */
export interface MinedPair {
  group: string;
  queryLang: Lang;
  passageLang: Lang;
  query: string;
  positive: string;
  negatives: MinedNegative[];
}

export interface MiningReport {
  pairs: MinedPair[];
  /** Pairs whose window held fewer eligible candidates than asked for. */
  short: number;
  candidates: number;
}

export function checkMiningSettings(s: MiningSettings): void {
  if (!Number.isInteger(s.from) || s.from < 1 || !Number.isInteger(s.to) || s.to < s.from) {
    throw new LabError('invalid-argument', `rank window ${s.from}–${s.to}`, { path: 'train.mining' }, 'integers with 1 ≤ from ≤ to');
  }
  if (!Number.isInteger(s.perPair) || s.perPair < 1 || s.perPair > s.to - s.from + 1) {
    throw new LabError('invalid-argument', `${s.perPair} negatives per pair from a window of ${s.to - s.from + 1} ranks`, { path: 'train.mining.perPair' }, `an integer from 1 to ${s.to - s.from + 1}`);
  }
}

/**
 * The mining problem as a dataset: one query per pool side that has a positive (ranked with the group's query in
 * that language, else its first query), the candidates, and per query the candidates it must never get.
 */
function miningDataset(pool: TrainingPool, sources: readonly Dataset[]): { dataset: Dataset; sides: { group: string; y: Lang; x: Lang; positive: string }[]; excluded: Set<string>[] } {
  const passages: Passage[] = [];
  const seen = new Set<string>();
  const add = (p: Passage): void => {
    const key = `${p.lang}\u0000${passageText(p)}`;
    if (seen.has(key)) return;
    seen.add(key);
    passages.push(p);
  };
  for (const d of sources) for (const p of d.passages) add(p);
  for (const g of pool.groups) for (const [y, s] of g.byLang) if (s.positive !== undefined) add({ id: `${y}/${g.id}`, lang: y, text: s.positive });
  // Every text relevant to a group: its positives in every language, and what the qrels judge relevant to its queries.
  const relevantOf = new Map<string, Set<string>>();
  const rel = (group: string): Set<string> => { let s = relevantOf.get(group); if (!s) relevantOf.set(group, (s = new Set())); return s; };
  for (const g of pool.groups) for (const s of g.byLang.values()) if (s.positive !== undefined) rel(g.id).add(s.positive);
  for (const d of sources) {
    const byId = new Map(d.passages.map((p) => [p.id, p] as const));
    for (const q of d.queries) {
      for (const [pid, r] of Object.entries(own(d.qrels, q.id) ?? {})) {
        const p = byId.get(pid);
        if (p && r >= 1) rel(q.group).add(passageText(p));
      }
    }
  }
  const queries: Query[] = [];
  const sides: { group: string; y: Lang; x: Lang; positive: string }[] = [];
  const excluded: Set<string>[] = [];
  for (const g of pool.groups) {
    for (const [y, s] of g.byLang) {
      if (s.positive === undefined) continue;
      const x = g.byLang.get(y)?.query !== undefined ? y : [...g.byLang].find(([, v]) => v.query !== undefined)?.[0];
      if (x === undefined) continue;
      queries.push({ id: `${x}/${g.id}/${y}`, lang: x, text: g.byLang.get(x)!.query!, group: g.id });
      sides.push({ group: g.id, y, x, positive: s.positive });
      excluded.push(rel(g.id));
    }
  }
  return { dataset: { name: 'mining', format: 'miracl', languages: pool.languages, queries, passages, qrels: {}, pairs: [], diagnostics: [] }, sides, excluded };
}

/**
 * Mines `perPair` negatives for every pool side with a positive. `sources` are the datasets the pool came from
 * (their passages are the candidates; their qrels say what is relevant). `modelFor` is a ScoringModel (BM25), or
 * builds one for the mining dataset (a dense encoder embeds its queries and candidates).
 */
export async function mineHardNegatives(
  pool: TrainingPool, sources: readonly Dataset[], modelFor: ScoringModel | ((mining: Dataset) => Promise<ScoringModel>), s: MiningSettings, signal?: AbortSignal,
): Promise<MiningReport> {
  checkMiningSettings(s);
  const { dataset, sides, excluded } = miningDataset(pool, sources);
  // A dense model embeds the mining problem's own queries and candidates.
  const model = typeof modelFor === 'function' ? await modelFor(dataset) : modelFor;
  const rng = new SeededRng(s.seed);
  const out: MinedPair[] = new Array(sides.length);
  let short = 0;
  for (const y of [...new Set(sides.map((x) => x.y))].sort()) {
    const rows = Int32Array.from(sides.flatMap((side, i) => (side.y === y ? [i] : [])));
    const candidates = Int32Array.from(dataset.passages.flatMap((p, i) => (p.lang === y ? [i] : [])));
    const scorer = await model.scorer({ dataset, queries: rows, candidates, statistics: 'per-language' });
    try {
      const block = rowsPerBlock(candidates.length);
      for (let r0 = 0; r0 < rows.length; r0 += block) {
        if (signal?.aborted) throw new LabError('cancelled', 'mining cancelled');
        const r1 = Math.min(rows.length, r0 + block);
        const scores = await scorer.scoreRows(r0, r1);
        for (let r = r0; r < r1; r++) {
          const i = rows[r]!;
          const side = sides[i]!;
          const row = scores.subarray((r - r0) * candidates.length, (r - r0 + 1) * candidates.length);
          // Rank by score, ties by candidate order (stable): the same data and seed give the same negatives.
          const order = Array.from(candidates.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
          const eligible: MinedNegative[] = [];
          for (let k = s.from - 1; k < Math.min(s.to, order.length); k++) {
            const p = dataset.passages[candidates[order[k]!]!]!;
            const text = passageText(p);
            if (excluded[i]!.has(text) || text === side.positive) continue;
            eligible.push({ text, id: p.id, rank: k + 1 });
          }
          // A seeded partial Fisher–Yates draw, then back in rank order.
          for (let k = 0; k < Math.min(s.perPair, eligible.length); k++) {
            const j = k + rng.below(eligible.length - k);
            [eligible[k], eligible[j]] = [eligible[j]!, eligible[k]!];
          }
          const picked = eligible.slice(0, s.perPair).sort((a, b) => a.rank - b.rank);
          if (picked.length < s.perPair) short++;
          out[i] = { group: side.group, queryLang: side.x, passageLang: y, query: dataset.queries[i]!.text, positive: side.positive, negatives: picked };
        }
      }
    } finally {
      scorer.dispose();
    }
  }
  return { pairs: out.filter((p) => p !== undefined), short, candidates: dataset.passages.length };
}

/** The pool with each side's mined negatives added to those it had. */
export function withMinedNegatives(pool: TrainingPool, report: MiningReport): TrainingPool {
  const mined = new Map(report.pairs.map((p) => [`${p.group}\u0000${p.passageLang}`, p.negatives.map((n) => n.text)] as const));
  return {
    ...pool,
    groups: pool.groups.map((g) => ({
      ...g,
      byLang: new Map([...g.byLang].map(([l, s]) => [l, { ...s, negatives: [...s.negatives, ...(mined.get(`${g.id}\u0000${l}`) ?? [])] }] as const)),
    })),
  };
}

/** Training-pairs JSONL lines (the lab's own pairs format, read back by the importer) of what was mined. */
export function minedPairsJsonl(report: MiningReport): string {
  return report.pairs.map((p) => JSON.stringify({
    group: p.group, ...(p.queryLang === p.passageLang ? { lang: p.queryLang } : { query_lang: p.queryLang, passage_lang: p.passageLang }),
    query: p.query, positive: p.positive, negatives: p.negatives.map((n) => n.text), negative_ranks: p.negatives.map((n) => n.rank),
  })).join('\n') + (report.pairs.length ? '\n' : '');
}
