/**
 * The evaluation protocols: LAReQA's three settings (mono, cross,
 * multilingual) with language bias, and MIRACL's monolingual per-language
 * evaluation. See ../shared/docs/METHOD.md ("Evaluation") and METRICS.md.
 *
 * LAReQA: the pool is every candidate of every language, segmented by
 * language. For a dense model one pass gives, per query, the rank of each
 * relevant candidate in the whole pool (multi, language bias) and within its
 * language (mono when it is the query's language, cross otherwise): ranking
 * x's query against y's candidates only is exactly the order of y's
 * candidates inside the pooled ranking. BM25's scores depend on the
 * collection, so it takes two passes: per-language statistics for mono/cross
 * (as a per-language index would), pooled statistics for multi.
 */
import { own } from '../ids.ts';
import { LabError } from '../errors.ts';
import type { Dataset, Lang } from '../dataset/types.ts';
import type { Setting } from '../run-config.ts';
import { MetricAccumulator, macroAverage, numRelevant, queryMetrics, RELEVANCE_THRESHOLD, type MetricValues } from './metrics.ts';
import { runPoolPass, type PoolJudgments, type PoolQueryResult } from './pool-pass.ts';
import { AVERAGING_NOTE, type EvalResults, type LanguageBiasResult, type PairResult, type SettingResult } from './results.ts';
import type { ScoringModel } from './scoring-model.ts';
import { PerQueryCollector } from './per-query.ts';
import { EVAL_PROTOCOLS, protocolOf } from './protocols.ts';
import { ProgressMeter, type Progress } from '../job.ts';

/** Receives one setting's ranked lists, query by query, with the run's qid (TREC export). */
export interface RunSink {
  setting: Setting;
  /** Documents per query; 'all' = the full ranking. */
  depth: number | 'all';
  write(qid: string, docids: readonly string[], scores: ArrayLike<number>): void;
}

export interface EvaluateOptions {
  /** Settings to compute (LAReQA); MIRACL always gets mono. Default: all three. */
  settings?: readonly Setting[];
  run?: RunSink;
  /** One Progress per scoring pass (phase e.g. "bm25 pool", "bm25 de"; unit queries), with rate and ETA. */
  onProgress?(p: Progress): void;
  signal?: AbortSignal;
  blockScores?: number;
  /** Default: now. Fixed in tests. */
  date?: Date;
  /** Every judged query's measures as they are computed (per-query drill-down, golden tests). */
  perQuery?(setting: Setting, pair: string, queryId: string, metrics: MetricValues): void;
}

export async function evaluateDataset(dataset: Dataset, model: ScoringModel, opts: EvaluateOptions = {}): Promise<EvalResults> {
  if (dataset.format === 'lareqa') return evaluateLareqa(dataset, model, opts);
  // A parallel MIRACL / BEIR source has relevant documents in every language: LAReQA's three settings apply.
  if (dataset.format === 'miracl' && dataset.parallel) return evaluateLareqa(dataset, model, opts);
  if (dataset.format === 'miracl') return evaluateMiracl(dataset, model, opts);
  throw new LabError('invalid-argument', `dataset ${dataset.name} has format "${dataset.format}", which has no evaluation protocol`, {}, 'lareqa or miracl');
}

/** Pair key of a setting cell: "x-y", multilingual "x-all". */
export function pairKey(queryLang: Lang, candidateLang: Lang | 'all'): string {
  return `${queryLang}-${candidateLang}`;
}

/** Run-file qid of a query in a setting: cross-setting qids are `{query id}@{candidate language}`. */
export function runQueryId(queryId: string, setting: Setting, candidateLang: Lang): string {
  return setting === 'cross' ? `${queryId}@${candidateLang}` : queryId;
}

function depthOf(run: RunSink | undefined): number {
  if (!run) return 0;
  if (run.depth === 'all') return Infinity;
  if (!Number.isInteger(run.depth) || run.depth < 1) throw new LabError('invalid-argument', `run depth ${run.depth}`, {}, 'a positive integer or "all"');
  return run.depth;
}

interface Indexed {
  langIndex: Map<Lang, number>;
  passageIndex: Map<string, number>;
}

function indexDataset(dataset: Dataset): Indexed {
  const langIndex = new Map(dataset.languages.map((l, i) => [l, i] as const));
  const passageIndex = new Map<string, number>();
  dataset.passages.forEach((p, i) => {
    if (passageIndex.has(p.id)) throw new LabError('duplicate-id', `passage id "${p.id}" appears twice in dataset ${dataset.name}`);
    passageIndex.set(p.id, i);
    if (!langIndex.has(p.lang)) throw new LabError('unknown-language', `passage ${p.id} has language "${p.lang}", not among the dataset's languages`);
  });
  for (const q of dataset.queries) {
    if (!langIndex.has(q.lang)) throw new LabError('unknown-language', `query ${q.id} has language "${q.lang}", not among the dataset's languages`);
  }
  return { langIndex, passageIndex };
}

/**
 * Judged documents (rel > 0) of a query inside a pool whose candidates are
 * `poolPosition` (passage index -> position, -1 when outside), plus the rel
 * labels of judged documents outside the pool (unknown to the corpus, or in
 * another language's MIRACL corpus): they count as relevant-but-never-retrieved,
 * as trec_eval counts qrels documents a run lacks.
 */
function judgmentsIn(dataset: Dataset, ix: Indexed, queryId: string, poolPosition: Int32Array): { inPool: PoolJudgments; missing: number[] } {
  const judged = own(dataset.qrels, queryId) ?? {};
  const cands: number[] = [];
  const rels: number[] = [];
  const missing: number[] = [];
  for (const [docid, rel] of Object.entries(judged)) {
    if (!(rel > 0)) continue;
    const p = ix.passageIndex.get(docid);
    const pos = p === undefined ? -1 : poolPosition[p]!;
    if (pos >= 0) {
      cands.push(pos);
      rels.push(rel);
    } else missing.push(rel);
  }
  return { inPool: { candidates: Int32Array.from(cands), rels: Float64Array.from(rels) }, missing };
}

class PairTable {
  private readonly acc = new Map<string, MetricAccumulator>();
  private readonly skipped = new Map<string, number>();
  constructor(
    private readonly keys: readonly string[],
    private readonly setting: Setting,
    private readonly perQuery?: EvaluateOptions['perQuery'],
  ) {
    for (const k of keys) {
      this.acc.set(k, new MetricAccumulator());
      this.skipped.set(k, 0);
    }
  }
  add(key: string, queryId: string, rels: ArrayLike<number>, ranks: ArrayLike<number>): void {
    const j = { rels, ranks };
    if (numRelevant(j) === 0) {
      this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
      return;
    }
    const m = queryMetrics(j);
    this.acc.get(key)!.add(m);
    this.perQuery?.(this.setting, key, queryId, m);
  }
  result(): SettingResult {
    const pairs: Record<string, PairResult> = {};
    const judgedMeans = [];
    for (const k of this.keys) {
      const a = this.acc.get(k)!;
      const mean = a.mean();
      pairs[k] = { ...mean, num_q: a.count, num_skipped: this.skipped.get(k) ?? 0 };
      if (a.count > 0) judgedMeans.push(mean);
    }
    return { macro: { ...macroAverage(judgedMeans), num_pairs: judgedMeans.length }, pairs };
  }
}

export async function evaluateLareqa(dataset: Dataset, model: ScoringModel, opts: EvaluateOptions = {}): Promise<EvalResults> {
  const settings = new Set<Setting>(opts.settings ?? ['mono', 'cross', 'multi']);
  const ix = indexDataset(dataset);
  const langs = dataset.languages;
  const L = langs.length;
  const run = opts.run;
  if (run && !settings.has(run.setting)) settings.add(run.setting);
  const depth = depthOf(run);

  const segments = Int32Array.from(dataset.passages, (p) => ix.langIndex.get(p.lang)!);
  const identity = Int32Array.from(dataset.passages, (_, i) => i);
  const allQueries = Int32Array.from(dataset.queries, (_, i) => i);
  const qLang = Int32Array.from(dataset.queries, (q) => ix.langIndex.get(q.lang)!);
  const judgments = dataset.queries.map((q) => judgmentsIn(dataset, ix, q.id, identity));
  const pool = { ids: dataset.passages.map((p) => p.id), segments, numSegments: L };

  const collector = new PerQueryCollector(dataset.queries, protocolOf(dataset).headline);
  const perQuery = withCollector(collector, opts.perQuery);
  const mono = new PairTable(langs.map((x) => pairKey(x, x)), 'mono', perQuery);
  const cross = new PairTable(langs.flatMap((x) => langs.filter((y) => y !== x).map((y) => pairKey(x, y))), 'cross', perQuery);
  const multi = new PairTable(langs.map((x) => pairKey(x, 'all')), 'multi', perQuery);
  const bias = new BiasAccumulator(langs);

  const wantSegment = settings.has('mono') || settings.has('cross');
  const wantPool = settings.has('multi');

  const onSegmentRanks = (r: PoolQueryResult): void => {
    const x = qLang[r.query]!;
    const { candidates, rels } = r.judged;
    for (let y = 0; y < L; y++) {
      const ysRels: number[] = [];
      const ysRanks: number[] = [];
      for (let j = 0; j < candidates.length; j++) {
        if (segments[candidates[j]!] === y) {
          ysRels.push(rels[j]!);
          ysRanks.push(r.segmentRanks[j]!);
        }
      }
      const qid = dataset.queries[r.query]!.id;
      if (y === x) mono.add(pairKey(langs[x]!, langs[y]!), qid, ysRels, ysRanks);
      else cross.add(pairKey(langs[x]!, langs[y]!), qid, ysRels, ysRanks);
    }
  };
  const onPoolRanks = (r: PoolQueryResult): void => {
    const x = qLang[r.query]!;
    const missing = judgments[r.query]!.missing;
    const rels = [...r.judged.rels, ...missing];
    const ranks = [...r.poolRanks, ...missing.map(() => Infinity)];
    multi.add(pairKey(langs[x]!, 'all'), dataset.queries[r.query]!.id, rels, ranks);
    const rd = bias.add(x, r, segments);
    if (rd !== undefined) collector.addRankDistance(dataset.queries[r.query]!.id, rd);
  };
  const emitRun = (r: PoolQueryResult): void => {
    if (!run) return;
    const q = dataset.queries[r.query]!;
    for (const t of r.top) {
      const candLang = t.segment < 0 ? q.lang : langs[t.segment]!;
      run.write(runQueryId(q.id, run.setting, candLang), Array.from(t.indices, (i) => pool.ids[i]!), t.scores);
    }
  };
  const topFor = (setting: Setting) =>
    run && run.setting === setting
      ? {
          depth,
          segments: (q: number): number[] => {
            const x = qLang[q]!;
            if (setting === 'multi') return [-1];
            if (setting === 'mono') return [x];
            return Array.from({ length: L }, (_, y) => y).filter((y) => y !== x);
          },
        }
      : undefined;

  const pass = async (statistics: 'pool' | 'per-language', useSegment: boolean, usePool: boolean, runSettings: Setting[]): Promise<string> => {
    const scorer = await model.scorer({ dataset, queries: allQueries, candidates: identity, statistics });
    const meter = new ProgressMeter(`${model.name} ${statistics}`, allQueries.length, 'queries', opts.onProgress);
    const runSetting = runSettings.find((s) => run?.setting === s);
    try {
      await runPoolPass({
        scorer,
        pool,
        judgments: (q) => judgments[q]!.inPool,
        ...(runSetting ? { top: topFor(runSetting)! } : {}),
        onQuery: (r) => {
          if (useSegment) onSegmentRanks(r);
          if (usePool) onPoolRanks(r);
          if (runSetting) emitRun(r);
        },
        ...(opts.blockScores ? { blockScores: opts.blockScores } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (d) => meter.update(d),
      });
      return scorer.name;
    } finally {
      scorer.dispose();
    }
  };

  let scorerName: string;
  if (model.poolIndependent) {
    scorerName = await pass('pool', wantSegment, wantPool, ['mono', 'cross', 'multi']);
  } else {
    scorerName = '';
    if (wantSegment) scorerName = await pass('per-language', true, false, ['mono', 'cross']);
    if (wantPool) scorerName = await pass('pool', false, true, ['multi']);
  }

  const out = resultsShell(dataset, model, scorerName, [...langs], opts.date);
  if (settings.has('mono')) out.settings.mono = mono.result();
  if (settings.has('cross')) out.settings.cross = cross.result();
  if (settings.has('multi')) {
    out.settings.multi = multi.result();
    out.languageBias = bias.result();
  }
  out.perQuery = collector.result();
  return out;
}

/** Per-query values go to the results' collector and to the caller's hook, if any. */
function withCollector(c: PerQueryCollector, hook: EvaluateOptions['perQuery']): NonNullable<EvaluateOptions['perQuery']> {
  return (setting, pair, queryId, m) => {
    c.add(pair, queryId, m);
    hook?.(setting, pair, queryId, m);
  };
}

/**
 * Rank distance (Huang et al. 2023): per query, max - min multilingual rank
 * of its relevant candidates; per (x, y), the rank of the relevant candidate
 * in y minus the one in x (the best-ranked one when a language has several).
 */
class BiasAccumulator {
  private readonly rdSum: Float64Array;
  private readonly rdCount: Float64Array;
  private readonly gapSum: Float64Array;
  private readonly gapCount: Float64Array;
  constructor(private readonly langs: readonly Lang[]) {
    const L = langs.length;
    this.rdSum = new Float64Array(L);
    this.rdCount = new Float64Array(L);
    this.gapSum = new Float64Array(L * L);
    this.gapCount = new Float64Array(L * L);
  }
  /** Adds one query; returns its rank distance (undefined when it has no relevant candidate in the pool). */
  add(x: number, r: PoolQueryResult, segments: Int32Array): number | undefined {
    const L = this.langs.length;
    const best = new Float64Array(L).fill(Infinity);
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < r.judged.candidates.length; j++) {
      if (r.judged.rels[j]! < RELEVANCE_THRESHOLD) continue;
      const rank = r.poolRanks[j]!;
      const g = segments[r.judged.candidates[j]!]!;
      best[g] = Math.min(best[g]!, rank);
      lo = Math.min(lo, rank);
      hi = Math.max(hi, rank);
    }
    if (lo === Infinity) return undefined;
    this.rdSum[x]! += hi - lo;
    this.rdCount[x]!++;
    if (best[x] === Infinity) return hi - lo;
    for (let y = 0; y < L; y++) {
      if (y === x || best[y] === Infinity) continue;
      this.gapSum[x * L + y]! += best[y]! - best[x]!;
      this.gapCount[x * L + y]!++;
    }
    return hi - lo;
  }
  result(): LanguageBiasResult {
    const L = this.langs.length;
    const byQueryLang: Record<Lang, number> = {};
    const numQ: Record<Lang, number> = {};
    const means: number[] = [];
    const pairs: LanguageBiasResult['pairs'] = {};
    for (let x = 0; x < L; x++) {
      const lang = this.langs[x]!;
      const n = this.rdCount[x]!;
      numQ[lang] = n;
      byQueryLang[lang] = n > 0 ? this.rdSum[x]! / n : 0;
      if (n > 0) means.push(byQueryLang[lang]);
      for (let y = 0; y < L; y++) {
        if (y === x) continue;
        const c = this.gapCount[x * L + y]!;
        pairs[pairKey(lang, this.langs[y]!)] = { meanRankGap: c > 0 ? this.gapSum[x * L + y]! / c : 0, num_q: c };
      }
    }
    const macro = means.length ? means.reduce((a, b) => a + b, 0) / means.length : 0;
    return { macro, byQueryLang, numQ, pairs };
  }
}

/** MIRACL: per language, its queries against its own corpus; nDCG@10 (over the top 100) and Recall@100. */
export async function evaluateMiracl(dataset: Dataset, model: ScoringModel, opts: EvaluateOptions = {}): Promise<EvalResults> {
  const ix = indexDataset(dataset);
  const run = opts.run;
  if (run && run.setting !== 'mono') throw new LabError('invalid-argument', `MIRACL has only the mono setting, not "${run.setting}"`, {}, 'mono');
  const depth = depthOf(run);
  const collector = new PerQueryCollector(dataset.queries, EVAL_PROTOCOLS.miracl!.headline);
  const table = new PairTable(dataset.languages.map((x) => pairKey(x, x)), 'mono', withCollector(collector, opts.perQuery));
  let scorerName = '';
  for (const lang of dataset.languages) {
    const queries = Int32Array.from(dataset.queries.flatMap((q, i) => (q.lang === lang ? [i] : [])));
    const candidates = Int32Array.from(dataset.passages.flatMap((p, i) => (p.lang === lang ? [i] : [])));
    if (queries.length === 0) continue;
    const position = new Int32Array(dataset.passages.length).fill(-1);
    candidates.forEach((p, pos) => (position[p] = pos));
    const judgments = Array.from(queries, (q) => judgmentsIn(dataset, ix, dataset.queries[q]!.id, position));
    const ids = Array.from(candidates, (p) => dataset.passages[p]!.id);
    const scorer = await model.scorer({ dataset, queries, candidates, statistics: 'pool' });
    const meter = new ProgressMeter(`${model.name} ${lang}`, queries.length, 'queries', opts.onProgress);
    scorerName = scorer.name;
    try {
      await runPoolPass({
        scorer,
        pool: { ids, segments: new Int32Array(ids.length), numSegments: 1 },
        judgments: (q) => judgments[q]!.inPool,
        ...(run ? { top: { depth, segments: () => [-1] } } : {}),
        onQuery: (r) => {
          const missing = judgments[r.query]!.missing;
          table.add(pairKey(lang, lang), dataset.queries[queries[r.query]!]!.id, [...r.judged.rels, ...missing], [...r.poolRanks, ...missing.map(() => Infinity)]);
          if (run) {
            const t = r.top[0]!;
            // A run file speaks the files' ids (a namespaced dataset's de:… ids are the lab's own).
            const q = dataset.queries[queries[r.query]!]!;
            run.write(q.sourceId ?? q.id, Array.from(t.indices, (i) => dataset.passages[candidates[i]!]!.sourceId ?? ids[i]!), t.scores);
          }
        },
        ...(opts.blockScores ? { blockScores: opts.blockScores } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (d) => meter.update(d),
      });
    } finally {
      scorer.dispose();
    }
  }
  const out = resultsShell(dataset, model, scorerName, [...dataset.languages], opts.date);
  out.settings.mono = table.result();
  out.perQuery = collector.result();
  return out;
}

/**
 * The qrels matching a setting's run file: mono keeps each query's judgments
 * in its own language, cross writes them under `{query id}@{y}` per y != x,
 * multi (and MIRACL) the qrels as given. LAReQA languages come from the
 * passages; judged docids unknown to the corpus are kept only in multi/MIRACL.
 */
export function settingQrels(dataset: Dataset, setting: Setting): { qid: string; docid: string; rel: number }[] {
  const lang = new Map(dataset.passages.map((p) => [p.id, p.lang] as const));
  const sourceOf = new Map(dataset.passages.flatMap((p) => (p.sourceId !== undefined ? [[p.id, p.sourceId] as const] : [])));
  const out: { qid: string; docid: string; rel: number }[] = [];
  for (const q of dataset.queries) {
    const judged = own(dataset.qrels, q.id);
    if (!judged) continue;
    const entries = Object.entries(judged);
    if (dataset.format !== 'lareqa' && !dataset.parallel) {
      // The files' ids, as the run file has them. (A parallel source keeps the lab's de:… ids: in its
      // multilingual pool the files' ids repeat, once per language.)
      const prefix = `${q.lang}:`;
      const fileId = (docid: string): string => sourceOf.get(docid) ?? (q.sourceId !== undefined && docid.startsWith(prefix) ? docid.slice(prefix.length) : docid);
      for (const [docid, rel] of entries) out.push({ qid: q.sourceId ?? q.id, docid: fileId(docid), rel });
    } else if (setting === 'multi') {
      for (const [docid, rel] of entries) out.push({ qid: q.id, docid, rel });
    } else if (setting === 'mono') {
      for (const [docid, rel] of entries) if (lang.get(docid) === q.lang) out.push({ qid: q.id, docid, rel });
    } else {
      for (const y of dataset.languages) {
        if (y === q.lang) continue;
        for (const [docid, rel] of entries) if (lang.get(docid) === y) out.push({ qid: runQueryId(q.id, 'cross', y), docid, rel });
      }
    }
  }
  return out;
}

/** The part of a results object every dataset format shares: what was evaluated, how, and when. */
function resultsShell(dataset: Dataset, model: ScoringModel, scorer: string, languages: Lang[], date = new Date()): EvalResults {
  return {
    kind: 'polyglot-lab/eval-results',
    version: 1,
    description: { model: model.name, dataset: dataset.name, format: dataset.format, date: date.toISOString(), scorer, params: model.params },
    averaging: AVERAGING_NOTE,
    counts: { queries: dataset.queries.length, candidates: dataset.passages.length, languages },
    settings: {},
  };
}
