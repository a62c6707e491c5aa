/**
 * The one results object: every figure the app, the CLI and the share links
 * show, keyed by setting and language pair, with the number of queries
 * behind each cell. Plain JSON (no Maps, no NaN) so it survives
 * structured clone, IndexedDB and `JSON.stringify` unchanged.
 *
 * LAReQA data: settings.mono.pairs["de-de"], settings.cross.pairs["de-en"],
 * settings.multi.pairs["de-all"], plus languageBias. MIRACL: settings.mono
 * only, pairs["{lang}-{lang}"].
 */
import { LabError } from '../errors.ts';
import type { DatasetFormat, Lang } from '../dataset/types.ts';
import type { RunConfig, Setting } from '../run-config.ts';
import { METRIC_NAMES, type MetricValues } from './metrics.ts';
import type { PerQueryValues } from './per-query.ts';

export interface PairResult extends MetricValues {
  /** Judged queries averaged in this cell. */
  num_q: number;
  /** Queries of the query language left out: no relevant candidate in this pool (e.g. an MLQA-R question missing in y). */
  num_skipped: number;
}

export interface SettingResult {
  /** Unweighted mean over the pairs with num_q > 0 (the paper's macro average). */
  macro: MetricValues & { num_pairs: number };
  pairs: Record<string, PairResult>;
}

export interface LanguageBiasResult {
  /** Mean over query languages of byQueryLang (lower is better). */
  macro: number;
  /** Mean rank distance (max - min multilingual rank of a query's relevant candidates) per query language. */
  byQueryLang: Record<Lang, number>;
  /** Queries behind each byQueryLang value. */
  numQ: Record<Lang, number>;
  /** "x-y": mean (rank of the relevant candidate in y - rank of the one in x) for queries in x, multilingual pool. */
  pairs: Record<string, { meanRankGap: number; num_q: number }>;
}

export interface EvalDescription {
  /** Model id, or 'bm25'. */
  model: string;
  dataset: string;
  format: DatasetFormat;
  /** ISO 8601 time the evaluation finished. */
  date: string;
  /** What computed the scores: 'cpu', 'tfjs-wasm', 'tfjs-webgpu', 'bm25'. */
  scorer: string;
  /** Extra model parameters worth recording (e.g. bm25 k1/b, similarity). */
  params: Record<string, string | number | boolean>;
  /** The run that produced these results, when there is one. */
  config?: RunConfig;
  /**
   * Of a training run's evaluations (base and trained alike): the languages its batches were drawn from
   * and those held out, so every view can mark which languages the scores saw in training.
   */
  training?: { languages: Lang[]; heldOut: Lang[]; steps: number };
}

export interface EvalResults {
  kind: 'polyglot-lab/eval-results';
  version: 1;
  description: EvalDescription;
  /** How cells and macros are averaged, in words, so a reader never has to guess. */
  averaging: string;
  counts: { queries: number; candidates: number; languages: Lang[] };
  settings: Partial<Record<Setting, SettingResult>>;
  /** LAReQA data only. */
  languageBias?: LanguageBiasResult;
  /** Per-query values of the headline measures (per-query.ts): significance tests and drill-down. Left out of share links. */
  perQuery?: PerQueryValues;
}

export const AVERAGING_NOTE =
  'Each pair: mean over its judged queries of per-query measures (trec_eval semantics, full ranking; queries without relevant candidates in the pool are left out and counted in num_skipped). ' +
  'Setting macro: unweighted mean over pairs. AP uses the full ranking, so it can exceed AP from a truncated run file.';

export function resultsToJSON(r: EvalResults, indent = 2): string {
  return JSON.stringify(r, null, indent);
}

/** Parses and shape-checks a results file (e.g. one saved by `bm25 --out`). */
export function parseResults(text: string, file = 'results.json'): EvalResults {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LabError('invalid-json', `not JSON: ${(e as Error).message}`, { file });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('not-an-object', 'results must be a JSON object', { file });
  const o = v as Record<string, unknown>;
  if (o.kind !== 'polyglot-lab/eval-results') {
    throw new LabError('wrong-type', `kind is ${JSON.stringify(o.kind)}`, { file, path: 'kind' }, '"polyglot-lab/eval-results"');
  }
  if (typeof o.settings !== 'object' || o.settings === null) throw new LabError('missing-field', 'settings is missing', { file, path: 'settings' });
  for (const [s, sr] of Object.entries(o.settings as Record<string, unknown>)) {
    const pairs = (sr as { pairs?: unknown } | null)?.pairs;
    if (typeof pairs !== 'object' || pairs === null) throw new LabError('missing-field', 'pairs is missing', { file, path: `settings.${s}.pairs` });
    for (const [p, cell] of Object.entries(pairs as Record<string, unknown>)) {
      for (const m of [...METRIC_NAMES, 'num_q']) {
        if (typeof (cell as Record<string, unknown>)[m] !== 'number') {
          throw new LabError('wrong-type', `${m} is not a number`, { file, path: `settings.${s}.pairs["${p}"].${m}` }, 'a number');
        }
      }
    }
  }
  return v as EvalResults;
}
