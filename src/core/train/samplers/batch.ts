/**
 * What every sampler produces, and the one rule every batch obeys: no
 * parallel group twice and no passage twice (two translations of one
 * question, or two questions on one sentence, would be false in-batch
 * negatives; METHOD.md "Within a batch, avoid duplicate passages and
 * duplicate parallel groups").
 */
import type { Lang, TrainingPair } from '../../dataset/types.ts';
import type { SeededRng } from '../../random.ts';
import type { ParallelGroup } from '../pool.ts';

export type BatchKind = 'mono' | 'cross' | 'multi';

/** A sampled pair: the same shape as a line of training-pairs JSONL. */
export type { TrainingPair };

export interface TrainingBatch {
  /** X-X (mono), X-Y (cross) or languages drawn per pair (multi). */
  kind: BatchKind;
  pairs: TrainingPair[];
}

/** One batch's worth of draws; `choose` picks the languages for a group (undefined: the group cannot serve). */
export function fillBatch(
  groups: readonly ParallelGroup[], size: number, rng: SeededRng,
  choose: (g: ParallelGroup) => [Lang, Lang] | undefined,
): TrainingPair[] {
  const pairs: TrainingPair[] = [];
  const usedPassages = new Set<string>();
  const usedGroups = new Set<string>();
  // Visit groups in a random order without replacement: a batch never repeats a group, and a draw stays O(size)
  // in the common case (a partial Fisher–Yates over indices).
  const order = Array.from(groups.keys());
  for (let i = 0; i < order.length && pairs.length < size; i++) {
    const j = i + rng.below(order.length - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
    const g = groups[order[i]!]!;
    if (usedGroups.has(g.id)) continue;
    const langs = choose(g);
    if (!langs) continue;
    const [x, y] = langs;
    const q = g.byLang.get(x)!;
    const p = g.byLang.get(y)!;
    if (usedPassages.has(p.positive!)) continue;
    usedGroups.add(g.id);
    usedPassages.add(p.positive!);
    pairs.push({ group: g.id, queryLang: x, passageLang: y, query: q.query!, positive: p.positive!, negatives: p.negatives });
  }
  return pairs;
}

export function hasQuery(g: ParallelGroup, l: Lang): boolean {
  return g.byLang.get(l)?.query !== undefined;
}

export function hasPositive(g: ParallelGroup, l: Lang): boolean {
  return g.byLang.get(l)?.positive !== undefined;
}
