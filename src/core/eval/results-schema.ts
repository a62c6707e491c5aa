/**
 * The results object as untrusted data (a results.json a user opens, a share
 * link's snapshot): a strict zod schema of EvalResults, with bounded sizes,
 * finite numbers and language codes as keys, so nothing unexpected (an
 * unknown key, "__proto__", a 10-million-entry map, a NaN) reaches the views.
 * Also the train-results file `lab train` writes ({base, trained}).
 */
import { z } from 'zod';
import { LabError } from '../errors.ts';
import { RunConfigSchema } from '../run-config.ts';
import { schemaError } from '../schema-errors.ts';
import { parseUntrustedJson } from '../json.ts';
import { METRIC_NAMES } from './metrics.ts';
import type { EvalResults } from './results.ts';
import type { ExperimentResults } from '../experiment/aggregate.ts';

const lang = z.string().regex(/^[a-z]{2,3}$/, 'a language code (two or three lowercase letters)');
const finite = z.number().refine(Number.isFinite, 'a finite number');
const score = finite.refine((v) => v >= 0 && v <= 1, 'a score from 0 to 1');
const count = z.int().min(0).max(1e9);
const MAX_LANGS = 300;

const metrics = Object.fromEntries(METRIC_NAMES.map((m) => [m, score])) as Record<(typeof METRIC_NAMES)[number], typeof score>;
const PairSchema = z.strictObject({ ...metrics, num_q: count, num_skipped: count });
const pairKey = z.string().regex(/^[a-z]{2,3}-([a-z]{2,3}|all)$/, 'a pair key like "de-en" or "de-all"');
const SettingSchema = z.strictObject({
  macro: z.strictObject({ ...metrics, num_pairs: count }),
  pairs: z.record(pairKey, PairSchema).refine((r) => Object.keys(r).length <= MAX_LANGS * (MAX_LANGS + 1), 'too many pairs'),
});
const langRecord = <T extends z.ZodType>(v: T) => z.record(lang, v).refine((r) => Object.keys(r).length <= MAX_LANGS, 'too many languages');

export const EvalResultsSchema = z.strictObject({
  kind: z.literal('polyglot-lab/eval-results'),
  version: z.literal(1),
  description: z.strictObject({
    model: z.string().max(500),
    dataset: z.string().max(500),
    format: z.enum(['lareqa', 'miracl', 'pairs']),
    date: z.string().max(100),
    scorer: z.string().max(100),
    params: z.record(z.string().max(100), z.union([z.string().max(1000), finite, z.boolean()])).refine((r) => Object.keys(r).length <= 100, 'too many params'),
    config: RunConfigSchema.optional(),
    training: z.strictObject({ languages: z.array(lang).max(MAX_LANGS), heldOut: z.array(lang).max(MAX_LANGS), steps: count }).optional(),
  }),
  averaging: z.string().max(2000),
  counts: z.strictObject({ queries: count, candidates: count, languages: z.array(lang).max(MAX_LANGS) }),
  settings: z.strictObject({ mono: SettingSchema.optional(), cross: SettingSchema.optional(), multi: SettingSchema.optional() }),
  languageBias: z.strictObject({
    macro: finite,
    byQueryLang: langRecord(finite),
    numQ: langRecord(count),
    pairs: z.record(pairKey, z.strictObject({ meanRankGap: finite, num_q: count })),
  }).optional(),
  perQuery: z.strictObject({
    metrics: z.array(z.enum(METRIC_NAMES)).max(METRIC_NAMES.length),
    queries: langRecord(z.array(z.string().max(1000)).max(1_000_000)),
    values: z.partialRecord(z.enum(METRIC_NAMES), z.record(pairKey, z.array(score.nullable()).max(1_000_000))),
    rankDistance: langRecord(z.array(finite.nullable()).max(1_000_000)).optional(),
  }).optional(),
});

export const TrainResultsSchema = z.object({
  kind: z.literal('polyglot-lab/train-results'),
  version: z.literal(1),
  config: RunConfigSchema,
  steps: count,
  base: z.array(EvalResultsSchema).max(64),
  trained: z.array(EvalResultsSchema).max(64),
});

/** One results object, checked; throws LabError naming the first bad field. */
export function checkResults(value: unknown, where = 'results'): EvalResults {
  const r = EvalResultsSchema.safeParse(value);
  if (!r.success) throw schemaError(where, r.error);
  return r.data as EvalResults;
}

/** The results objects in a results file: one (lab eval, lab bm25, the page's download) or base + trained (lab train). */
/** `lab experiment`'s results.json: the parts the page reads (every run's trained results, by sampler and seed). */
const MeanSdSchema = z.object({ mean: z.number(), sd: z.number().min(0), n: count });
const SettingKey = z.enum(['mono', 'cross', 'multi']);
const ExperimentTableSchema = z.object({
  dataset: z.string().max(200),
  metric: z.enum(METRIC_NAMES as unknown as [string, ...string[]]),
  rows: z.array(z.object({
    sampler: z.string().max(40),
    settings: z.partialRecord(SettingKey, MeanSdSchema),
    bias: MeanSdSchema.nullable(),
    tests: z.partialRecord(SettingKey, z.object({ diff: z.number(), p: z.number().min(0).max(1), pAdjusted: z.number().min(0).max(1), significant: z.boolean() })),
    groups: z.array(z.object({ group: z.enum(['high', 'low']), column: z.enum(['mono', 'crossToHigh', 'crossToLow', 'multi']), value: MeanSdSchema })).max(8),
  })).max(12),
});

const experimentSummaryShape = {
  kind: z.literal('polyglot-lab/experiment-results'),
  version: z.literal(1),
  name: z.string().max(200),
  reference: z.string().max(40),
  seeds: z.array(count).max(20),
  correction: z.enum(['holm', 'bonferroni', 'none']),
  testNote: z.string().max(2000),
  tables: z.array(ExperimentTableSchema).max(32),
};

/** An experiment's comparison without its runs' results: what a share link carries. */
export const ExperimentSummarySchema = z.strictObject(experimentSummaryShape);

export const ExperimentResultsFileSchema = z.object({
  ...experimentSummaryShape,
  runs: z.record(z.string().max(100), z.object({
    sampler: z.string().max(40),
    seed: count,
    trained: z.array(EvalResultsSchema).max(64),
  })).refine((r) => Object.keys(r).length <= 1000, 'at most 1,000 runs'),
});

/** An experiment results file's comparison tables, checked; null for any other results file. */
export function experimentInFile(text: string, file: string): ExperimentResults | null {
  const v = parseUntrustedJson(text, { file }, 'a results.json written by Polyglot Lab');
  if (typeof v !== 'object' || v === null || (v as { kind?: unknown }).kind !== 'polyglot-lab/experiment-results') return null;
  const r = ExperimentResultsFileSchema.safeParse(v);
  if (!r.success) throw schemaError('experiment results', r.error, file);
  return r.data as unknown as ExperimentResults;
}

export function resultsInFile(text: string, file: string): { results: EvalResults; role?: 'base' | 'trained'; label?: string }[] {
  const v = parseUntrustedJson(text, { file }, 'a results.json written by Polyglot Lab');
  const kind = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { kind?: unknown }).kind : undefined;
  if (kind === 'polyglot-lab/eval-results') {
    const r = EvalResultsSchema.safeParse(v);
    if (!r.success) throw schemaError('results', r.error, file);
    return [{ results: r.data as EvalResults }];
  }
  if (kind === 'polyglot-lab/train-results') {
    const r = TrainResultsSchema.safeParse(v);
    if (!r.success) throw schemaError('train results', r.error, file);
    return [...r.data.base.map((x) => ({ results: x as EvalResults, role: 'base' as const })), ...r.data.trained.map((x) => ({ results: x as EvalResults, role: 'trained' as const }))];
  }
  if (kind === 'polyglot-lab/experiment-results') {
    const r = ExperimentResultsFileSchema.safeParse(v);
    if (!r.success) throw schemaError('experiment results', r.error, file);
    return Object.values(r.data.runs).flatMap((run) => run.trained.map((x) => ({ results: x as EvalResults, role: 'trained' as const, label: `${run.sampler}, seed ${run.seed}` })));
  }
  throw new LabError('wrong-type', `kind is ${JSON.stringify(kind)}`, { file, path: 'kind' }, '"polyglot-lab/eval-results", "polyglot-lab/train-results" or "polyglot-lab/experiment-results"');
}
