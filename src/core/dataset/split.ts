/**
 * Seeded train/validation/test splits by parallel group. The unit is what
 * must never straddle two splits:
 *  - LAReQA: the article. Queries and sentences are joined through the qrels
 *    into connected units (a question group with every article holding one of
 *    its answers), so no paragraph — and no translation of a question — is on
 *    two sides even if files were misaligned.
 *  - MIRACL: the topic (qid); the corpus stays whole in every split, since a
 *    retrieval test needs the full collection.
 *  - Training pairs: the `group`.
 * The same units and seed always give the same split, whatever the input order.
 */
import { own } from '../ids.ts';
import { LabError } from '../errors.ts';
import { mulberry32, shuffle } from '../random.ts';
import { dict } from './json-path.ts';
import type { Dataset, Lang, Qrels } from './types.ts';

export interface SplitOptions {
  /** Any integer; the same seed gives the same split. */
  seed: number;
  /** Fractions of units; non-negative, summing to 1. */
  train: number;
  validation: number;
  test: number;
}

export type SplitName = 'train' | 'validation' | 'test';

export interface DatasetSplits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  /** The units (article ids / qids / groups) on each side, for reports and exports. */
  units: Record<SplitName, string[]>;
}

const SPLITS: SplitName[] = ['train', 'validation', 'test'];

export function splitDataset(ds: Dataset, opts: SplitOptions): DatasetSplits {
  checkOptions(opts);
  const { unitOfQuery, unitOfPassage, units } = unitsOf(ds);
  const counts = apportion(units.length, [opts.train, opts.validation, opts.test]);
  const order = [...units].sort(compareKeys);
  shuffle(order, mulberry32(opts.seed >>> 0));
  const side = new Map<string, SplitName>();
  const assigned: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  let k = 0;
  SPLITS.forEach((s, i) => {
    for (let j = 0; j < counts[i]!; j++, k++) {
      side.set(order[k]!, s);
      assigned[s].push(order[k]!);
    }
  });
  for (const s of SPLITS) assigned[s].sort(compareKeys);

  const make = (s: SplitName): Dataset => {
    const queries = ds.queries.filter((q) => side.get(unitOfQuery(q.group)) === s);
    const passages = unitOfPassage ? ds.passages.filter((p) => side.get(unitOfPassage(p.group ?? '')) === s) : ds.passages;
    const pairs = ds.pairs.filter((p) => side.get(p.group) === s);
    const keep = unitOfPassage ? new Set(passages.map((p) => p.id)) : undefined;
    const qrels: Qrels = dict();
    for (const q of queries) {
      const from = own(ds.qrels, q.id);
      if (!from) continue;
      const to = dict<number>();
      for (const pid of Object.keys(from)) if (!keep || keep.has(pid)) to[pid] = from[pid]!;
      qrels[q.id] = to;
    }
    const langs = new Set<Lang>();
    for (const q of queries) langs.add(q.lang);
    for (const p of passages) langs.add(p.lang);
    for (const p of pairs) {
      langs.add(p.queryLang);
      langs.add(p.passageLang);
    }
    return { name: `${ds.name}:${s}`, format: ds.format, languages: [...langs].sort(), queries, passages, qrels, pairs, diagnostics: [] };
  };
  return { train: make('train'), validation: make('validation'), test: make('test'), units: assigned };
}

function checkOptions(o: SplitOptions): void {
  if (!Number.isInteger(o.seed)) throw new LabError('invalid-argument', `split seed ${o.seed} is not an integer`, {}, 'an integer seed');
  const f = [o.train, o.validation, o.test];
  if (f.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0) || Math.abs(f[0]! + f[1]! + f[2]! - 1) > 1e-9) {
    throw new LabError('invalid-argument', `split fractions ${f.join(' / ')} are invalid`, {}, 'non-negative train / validation / test fractions summing to 1');
  }
}

interface Units {
  unitOfQuery: (group: string) => string;
  /** Undefined when passages are shared by all splits (MIRACL, pairs). */
  unitOfPassage: ((article: string) => string) | undefined;
  units: string[];
}

function unitsOf(ds: Dataset): Units {
  if (ds.format === 'pairs') {
    const units = [...new Set(ds.pairs.map((p) => p.group))];
    return { unitOfQuery: (g) => g, unitOfPassage: undefined, units };
  }
  if (ds.format === 'miracl') {
    const units = [...new Set(ds.queries.map((q) => q.group))];
    return { unitOfQuery: (g) => g, unitOfPassage: undefined, units };
  }
  // LAReQA: union-find over article nodes "a:<article>" and question-group nodes "q:<group>".
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (y !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (x: string): void => {
    if (!parent.has(x)) parent.set(x, x);
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // Keep the smaller key as the root so unit names don't depend on input order.
    if (compareKeys(ra, rb) < 0) parent.set(rb, ra);
    else parent.set(ra, rb);
  };
  const articleOf = new Map<string, string>();
  for (const p of ds.passages) {
    const a = `a:${p.group ?? ''}`;
    add(a);
    articleOf.set(p.id, a);
  }
  for (const q of ds.queries) {
    const node = `q:${q.group}`;
    add(node);
    const rel = own(ds.qrels, q.id);
    if (!rel) continue;
    for (const pid of Object.keys(rel)) {
      const a = articleOf.get(pid);
      if (a !== undefined && rel[pid]! >= 1) union(node, a);
    }
  }
  // Units are article indices; a question with no answer sentence anywhere is its own unit "q:<group>".
  const name = (root: string): string => (root.startsWith('a:') ? root.slice(2) : root);
  const units = [...new Set([...parent.keys()].map((k) => name(find(k))))];
  return {
    unitOfQuery: (g) => name(find(`q:${g}`)),
    unitOfPassage: (a) => name(find(`a:${a}`)),
    units,
  };
}

/** Numeric-aware order ("2" < "10"), then plain string order. */
function compareKeys(a: string, b: string): number {
  const na = /^\d+$/.test(a.replace(/^[aq]:/, '')) ? Number(a.replace(/^[aq]:/, '')) : NaN;
  const nb = /^\d+$/.test(b.replace(/^[aq]:/, '')) ? Number(b.replace(/^[aq]:/, '')) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest-remainder apportionment of n units by fractions (exact total, deterministic ties). */
export function apportion(n: number, fractions: number[]): number[] {
  const raw = fractions.map((f) => f * n);
  const out = raw.map((x) => Math.floor(x + 1e-9));
  let left = n - out.reduce((a, b) => a + b, 0);
  const byRemainder = raw.map((x, i) => ({ i, r: x - Math.floor(x + 1e-9) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < byRemainder.length; k++, left--) out[byRemainder[k]!.i]!++;
  return out;
}

