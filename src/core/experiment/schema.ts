/**
 * An experiment: one training RunConfig (the model, its start point, the
 * training and evaluation data, every hyper-parameter) run with several
 * batch samplers over several seeds, so the paper's comparison (METHOD.md,
 * Tables 1–2) is one file. Each (sampler, seed) is a run whose RunConfig is
 * the base with `train.sampler` / `train.alpha` / `train.crossMode` and `seed`
 * replaced; with a generated model the seed also draws the start weights, so
 * every sampler starts from the same point for a given seed. The data split
 * keeps the base run's seed (train.splitSeed), so every run is trained and
 * evaluated on the same articles.
 */
import { z } from 'zod';
import { LabError } from '../errors.ts';
import { AlphaScheduleSchema, RunConfigSchema, type RunConfig } from '../run-config.ts';
import { asTrainConfig, type TrainRunConfig } from '../train/run.ts';
import { schemaError } from '../schema-errors.ts';

export const SamplerVariantSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._()+=-]{0,39}$/).describe('a label for tables and folder names'),
  sampler: z.enum(['xx', 'xy', 'multi', 'hybrid']),
  alpha: AlphaScheduleSchema.optional().describe('hybrid only: constant, a schedule, or the adaptive rule'),
  crossMode: z.enum(['batch', 'pair']).optional(),
});

export const ExperimentSchema = z.strictObject({
  version: z.literal(1),
  kind: z.literal('experiment'),
  name: z.string().min(1).max(200).optional(),
  run: RunConfigSchema.describe('the base run (kind "train"): model, data, evaluation datasets, hyper-parameters'),
  samplers: z.array(SamplerVariantSchema).min(2).max(12),
  /** The sampler every other one is tested against (the paper's claim is about hybrid batches). */
  reference: z.string().min(1).optional(),
  seeds: z.array(z.int().min(0).max(2 ** 31 - 1)).min(1).max(20),
  /** High-resource languages (Joshi et al. 2020) for the group tables; the lab's default list when absent. */
  highResource: z.array(z.string().regex(/^[a-z]{2,3}$/)).max(200).optional(),
  test: z.strictObject({
    iterations: z.int().min(100).max(100_000).default(1000),
    correction: z.enum(['holm', 'bonferroni', 'none']).default('holm'),
  }).default({ iterations: 1000, correction: 'holm' }),
});

export type Experiment = z.infer<typeof ExperimentSchema>;
export type SamplerVariant = z.infer<typeof SamplerVariantSchema>;

export interface PlannedRun {
  /** Folder name: `<sampler name>-seed<seed>`, safe on every file system. */
  id: string;
  variant: SamplerVariant;
  seed: number;
  config: TrainRunConfig;
}

export function parseExperiment(value: unknown, file?: string): Experiment {
  const r = ExperimentSchema.safeParse(value);
  if (!r.success) throw schemaError('experiment', r.error, file);
  const e = r.data;
  const names = e.samplers.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new LabError('invalid-argument', `two samplers are named "${dup}"`, { ...(file ? { file } : {}), path: 'samplers' }, 'one name per sampler');
  if (new Set(e.seeds).size !== e.seeds.length) throw new LabError('invalid-argument', 'a seed is listed twice', { ...(file ? { file } : {}), path: 'seeds' }, 'distinct seeds');
  referenceOf(e, file);
  e.samplers.forEach((s, i) => {
    if (s.alpha && s.sampler !== 'hybrid') throw new LabError('invalid-argument', `sampler "${s.name}" is ${s.sampler} but sets alpha`, { ...(file ? { file } : {}), path: `samplers[${i}].alpha` }, 'alpha only on a hybrid sampler');
  });
  asTrainConfig(e.run, `${file ?? 'experiment'}: run.kind`);
  return e;
}

/** The reference sampler: `reference`, else the only hybrid one with a constant alpha of 0.5, else the first hybrid. */
export function referenceOf(e: Experiment, file?: string): SamplerVariant {
  const where = { ...(file ? { file } : {}), path: 'reference' };
  if (e.reference !== undefined) {
    const r = e.samplers.find((s) => s.name === e.reference);
    if (!r) throw new LabError('invalid-argument', `reference "${e.reference}" is not one of the samplers (${e.samplers.map((s) => s.name).join(', ')})`, where);
    return r;
  }
  const hybrid = e.samplers.filter((s) => s.sampler === 'hybrid');
  const half = hybrid.find((s) => !s.alpha || (s.alpha.kind === 'constant' && s.alpha.alpha === 0.5));
  const r = half ?? hybrid[0];
  if (!r) throw new LabError('invalid-argument', 'no hybrid sampler to test the others against', where, 'a "reference" sampler, or a hybrid one');
  return r;
}

export function planRuns(e: Experiment): PlannedRun[] {
  const base = asTrainConfig(e.run, 'run.kind');
  const runs: PlannedRun[] = [];
  for (const seed of e.seeds) {
    for (const v of e.samplers) {
      const config: RunConfig = {
        ...base, seed,
        train: {
          // Every run is evaluated on the same held-out data: the split keeps the base run's seed.
          ...base.train, splitSeed: base.train.splitSeed ?? base.seed, sampler: v.sampler,
          ...(v.alpha ? { alpha: v.alpha } : {}),
          ...(v.crossMode ? { crossMode: v.crossMode } : {}),
        },
      };
      runs.push({ id: `${v.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-seed${seed}`, variant: v, seed, config: asTrainConfig(config, 'run.kind') });
    }
  }
  const ids = runs.map((r) => r.id);
  const clash = ids.find((id, i) => ids.indexOf(id) !== i);
  if (clash) throw new LabError('invalid-argument', `two samplers share the folder name "${clash}"`, { path: 'samplers' }, 'names that differ in letters or digits');
  return runs;
}

/**
 * A run's identity without its display names: datasets by split and shard hashes, a generated model's
 * tokenizer by hash. The page names datasets as they were imported, the command line by path; the same
 * planned run is the same run in both.
 */
export function runIdentity(c: RunConfig): string {
  // Shards by their bytes only: the page's runs name the stored shards (with the language or Parquet roles chosen
  // at import), the experiment file names the files, and both must be the same run.
  const ref = (d: RunConfig['datasets'][number]) => ({ split: d.split, shards: d.shards.map((s) => s.sha256) });
  const model = c.model.source === 'generated' ? { ...c.model, tokenizer: { sha256: c.model.tokenizer.sha256 } } : c.model;
  return JSON.stringify({ ...c, model, datasets: c.datasets.map(ref), ...(c.train ? { train: { ...c.train, data: c.train.data.map(ref) } } : {}) });
}
