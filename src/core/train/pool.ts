/**
 * The training pool: parallel groups (the same question in several
 * languages), each holding per language a query and/or a positive passage
 * (and hard negatives). A sampler pairs a group's query in x with its
 * positive in y: x = y is a monolingual pair (X-X), x ≠ y a cross-lingual one
 * (X-Y). Built from LAReQA data (group = question id; the positive in x is
 * the answer sentence in x) or from training-pairs JSONL (each line fills its
 * group's query in query_lang and positive in passage_lang). Languages held
 * out of training are left out here, so no sampler can ever draw them.
 */
import { LabError } from '../errors.ts';
import { own } from '../ids.ts';
import type { Dataset, Lang } from '../dataset/types.ts';
import { passageText } from '../bm25/search.ts';

export interface LanguageSide {
  query?: string;
  positive?: string;
  negatives: string[];
}

export interface ParallelGroup {
  id: string;
  byLang: Map<Lang, LanguageSide>;
}

export interface TrainingPool {
  /** Training languages (sorted), held-out ones excluded. */
  languages: Lang[];
  groups: ParallelGroup[];
  /** Languages that were in the data but held out. */
  heldOut: Lang[];
}

export interface PoolOptions {
  /** Languages never drawn in training (the paper holds out el and vi). */
  heldOut?: readonly Lang[];
}

export function buildTrainingPool(dataset: Dataset, opts: PoolOptions = {}): TrainingPool {
  const heldOut = new Set(opts.heldOut ?? []);
  const present = new Set<Lang>(dataset.format === 'pairs' ? dataset.pairs.flatMap((p) => [p.queryLang, p.passageLang]) : dataset.languages);
  for (const l of heldOut) {
    if (!present.has(l)) {
      throw new LabError('invalid-argument', `held-out language "${l}" is not in dataset ${dataset.name} (${[...present].sort().join(', ')})`, { path: 'train.heldOutLanguages' }, 'languages of the training data');
    }
  }
  const groups = new Map<string, ParallelGroup>();
  const side = (gid: string, lang: Lang): LanguageSide => {
    let g = groups.get(gid);
    if (!g) groups.set(gid, (g = { id: gid, byLang: new Map() }));
    let s = g.byLang.get(lang);
    if (!s) g.byLang.set(lang, (s = { negatives: [] }));
    return s;
  };
  if (dataset.format === 'pairs') {
    for (const p of dataset.pairs) {
      if (heldOut.has(p.queryLang) || heldOut.has(p.passageLang)) continue;
      side(p.group, p.queryLang).query = p.query;
      const ps = side(p.group, p.passageLang);
      ps.positive = p.positive;
      ps.negatives.push(...p.negatives);
    }
  } else if (dataset.format === 'lareqa') {
    const passages = new Map(dataset.passages.map((p) => [p.id, p] as const));
    for (const q of dataset.queries) {
      if (heldOut.has(q.lang)) continue;
      const s = side(q.group, q.lang);
      s.query = q.text;
      for (const docid of Object.keys(own(dataset.qrels, q.id) ?? {})) {
        const p = passages.get(docid);
        if (p && p.lang === q.lang) s.positive = passageText(p);
      }
    }
  } else if (dataset.format === 'miracl') {
    // MIRACL / BEIR train splits: mono pairs. Each query is its own group; its positive is its first judged
    // relevant passage in the corpus, and the passages judged not relevant (MIRACL's rel 0) are its hard negatives.
    const passages = new Map(dataset.passages.map((p) => [p.id, p] as const));
    for (const q of dataset.queries) {
      if (heldOut.has(q.lang)) continue;
      const judged = Object.entries(own(dataset.qrels, q.id) ?? {}).flatMap(([id, rel]) => { const p = passages.get(id); return p && p.lang === q.lang ? [{ p, rel }] : []; });
      const pos = judged.find((j) => j.rel >= 1);
      if (!pos) continue;
      const s = side(q.group, q.lang);
      s.query = q.text;
      s.positive = passageText(pos.p);
      s.negatives.push(...judged.filter((j) => j.rel <= 0).map((j) => passageText(j.p)));
    }
  } else {
    throw new LabError('invalid-argument', `dataset ${dataset.name} is ${dataset.format} data, which has no training pairs`, {}, 'LAReQA, MIRACL / BEIR (with qrels) or training-pairs JSONL');
  }
  const languages = [...present].filter((l) => !heldOut.has(l)).sort();
  const list = [...groups.values()].filter((g) => [...g.byLang.values()].some((s) => s.query !== undefined) && [...g.byLang.values()].some((s) => s.positive !== undefined));
  if (list.length === 0) throw new LabError('empty-file', `dataset ${dataset.name} has no training pairs${heldOut.size ? ' outside the held-out languages' : ''}`, {}, 'queries with positive passages');
  return { languages, groups: list, heldOut: [...heldOut].filter((l) => present.has(l)).sort() };
}
