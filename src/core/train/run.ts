/**
 * One training run from a RunConfig (kind "train"), the same in Node (lab
 * train), the model worker and tests: the training and validation data
 * prepared and checked before any step, then the loop — a Trainer step, a
 * validation every `validateEvery` steps (feeding the adaptive alpha and
 * early stopping), a checkpoint every `checkpointEvery` steps and when
 * paused — with the host (files or IndexedDB) behind `TrainingHooks`.
 *
 * What is decided here and nowhere else: which validations count for early
 * stopping (the mean of the mono and cross validation losses; the paper
 * stops when the validation loss stops falling), that its state follows from
 * the history (so a resumed run keeps it), and that a pause ends with a
 * checkpoint of the step it stopped at.
 */
import { LabError } from '../errors.ts';
import { throwIfCancelled, type Progress } from '../job.ts';
import type { DatasetRef, RunConfig, TrainConfig } from '../run-config.ts';
import { splitDataset } from '../dataset/split.ts';
import type { Dataset } from '../dataset/types.ts';
import type { DenseBackend } from '../eval/scoring-model.ts';
import { evaluateTextModel } from '../eval/dense.ts';
import type { TextModel } from '../tokenize/text-model.ts';
import { buildTrainingPool, type TrainingPool } from './pool.ts';
import { bm25Model } from '../bm25/search.ts';
import { mineHardNegatives, withMinedNegatives } from './mine.ts';
import { BatchSampler } from './samplers/index.ts';
import { Trainer, type HistoryEntry, type TrainerCheckpoint, type TrainerOptions } from './trainer.ts';
import { validationLosses, validationSet, type ValidationSet } from './validation.ts';

export type TrainRunConfig = RunConfig & { kind: 'train'; train: TrainConfig };

export function asTrainConfig(config: RunConfig, where = 'kind'): TrainRunConfig {
  if (config.kind !== 'train' || !config.train) throw new LabError('invalid-argument', `the config is a ${config.kind} run`, { path: where }, '"train"');
  return config as TrainRunConfig;
}

/** A dataset cut to the split a DatasetRef names (the run's seed and split fractions). */
export function cutToSplit(ds: Dataset, split: DatasetRef['split'], config: Pick<RunConfig, 'seed' | 'train'>): Dataset {
  if (split === 'all') return ds;
  const f = config.train?.splitFractions ?? { train: 0.8, validation: 0.1, test: 0.1 };
  // The split is a property of the data: an experiment varies the run seed (start weights, batches) and keeps it.
  return splitDataset(ds, { seed: config.train?.splitSeed ?? config.seed, ...f })[split];
}

export interface TrainingData {
  pool: TrainingPool;
  /** Absent when validateEvery is 0. */
  validation?: { batches: ValidationSet; sets: Dataset[] };
}

/** Several training datasets as one pool; group ids are prefixed so two datasets' "q1" stay two groups. */
export function mergePools(pools: TrainingPool[]): TrainingPool {
  if (pools.length === 1) return pools[0]!;
  return {
    languages: [...new Set(pools.flatMap((p) => p.languages))].sort(),
    heldOut: [...new Set(pools.flatMap((p) => p.heldOut))].sort(),
    groups: pools.flatMap((p, i) => p.groups.map((g) => ({ ...g, id: `${i}:${g.id}` }))),
  };
}

/**
 * The pool and the fixed validation batches, with every data mistake (a held-out language not in the
 * data, a batch larger than the data, one language only for X-Y) thrown here, before a step or a file.
 */
export async function prepareTrainingData(config: TrainRunConfig, trainSets: Dataset[], valSets: Dataset[]): Promise<TrainingData> {
  const t = config.train;
  let pool = mergePools(trainSets.map((d) => buildTrainingPool(d, { heldOut: t.heldOutLanguages })));
  if (t.mining) {
    // Mined from the training data only (never the evaluation split), seeded: a resumed run mines the same negatives.
    const m = t.mining;
    const report = await mineHardNegatives(pool, trainSets, bm25Model(), { from: m.from, to: m.to, perPair: m.perPair, seed: m.seed ?? config.seed });
    pool = withMinedNegatives(pool, report);
  }
  // Constructing a sampler checks batch size against the data and the languages X-Y needs.
  new BatchSampler(pool, { kind: t.sampler, batchSize: t.batchSize, crossMode: t.crossMode }, { seed: config.seed });
  if (t.validateEvery === 0 || valSets.length === 0) return { pool };
  const valPool = mergePools(valSets.map((d) => buildTrainingPool(d, { heldOut: t.heldOutLanguages })));
  return { pool, validation: { batches: validationSet(valPool, t.batchSize, t.validationBatches, config.seed + 1000), sets: valSets } };
}

export function trainerOptions(config: TrainRunConfig): TrainerOptions {
  const t = config.train;
  return {
    sampler: { kind: t.sampler, batchSize: t.batchSize, crossMode: t.crossMode }, schedule: t.alpha, steps: t.steps, lr: t.lr,
    warmupSteps: t.warmupSteps, weightDecay: t.weightDecay, maxGradNorm: t.maxGradNorm, accumulation: t.accumulation,
    ...(t.cacheChunk !== undefined ? { cacheChunk: t.cacheChunk } : {}), fastPath: t.fastPath,
    freeze: { freezeEmbeddings: t.freezeEmbeddings, freezeBottomLayers: t.freezeBottomLayers },
    temperature: t.temperature, loss: t.loss, tokenization: config.tokenization, seed: config.seed,
  };
}

function meanOf(xs: (number | undefined)[]): number {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** The early-stopping signal of a validated step: the mean of its mono and cross validation losses. */
export function validationLoss(e: HistoryEntry): number {
  return meanOf([e.val_loss_mono, e.val_loss_cross]);
}

/** Validation losses per setting on the fixed batches, and macro mAP / rank distance on the validation split (LAReQA). */
export async function validate(model: TextModel, v: NonNullable<TrainingData['validation']>, config: TrainRunConfig, scorer: DenseBackend, signal?: AbortSignal): Promise<Partial<HistoryEntry>> {
  const t = config.train;
  // The paper's variant has no positive in its denominator, so its value is not comparable across batches: validate with in-batch.
  const losses = await validationLosses(model, v.batches, config.tokenization, { temperature: t.temperature, variant: t.loss === 'paper' ? 'in-batch' : t.loss });
  const out: Partial<HistoryEntry> = { val_loss_mono: losses.mono, val_loss_cross: losses.cross };
  const lareqa = v.sets.filter((d) => d.format === 'lareqa' && d.queries.length > 0);
  if (lareqa.length) {
    const rs = [];
    for (const d of lareqa) {
      rs.push((await evaluateTextModel(model, d, { name: 'validation', scorer, tokenization: config.tokenization, batchSize: config.eval.batchSize, ...(signal ? { signal } : {}) })).results);
    }
    out.val_map_mono = meanOf(rs.map((r) => r.settings.mono?.macro.map));
    out.val_map_cross = meanOf(rs.map((r) => r.settings.cross?.macro.map));
    out.val_map_multi = meanOf(rs.map((r) => r.settings.multi?.macro.map));
    out.val_rank_distance = meanOf(rs.map((r) => r.languageBias?.macro));
  }
  return out;
}

export interface TrainingHooks {
  /** Every step's entry, validation merged, before the next step (history.jsonl, IndexedDB, the page's charts). */
  onStep?(entry: HistoryEntry): void | Promise<void>;
  /** Stores a checkpoint; a failure ends the run with the previous checkpoint intact (the host writes atomically). */
  saveCheckpoint(c: TrainerCheckpoint): Promise<void>;
  log?(line: string): void;
  onProgress?(p: Progress): void;
}

export interface TrainingControl {
  /** Cancels: the step in flight finishes its update, nothing further is saved. */
  signal?: AbortSignal;
  /** Asked after every step; true ends the loop with a checkpoint of that step. */
  pauseRequested?(): boolean;
}

export type TrainingEnd =
  | { kind: 'finished'; step: number }
  | { kind: 'stopped-early'; step: number; bestLoss: number }
  | { kind: 'paused'; step: number };

/** Runs `trainer` to its last step, an early stop or a pause. */
export async function runTraining(
  trainer: Trainer, model: TextModel, data: TrainingData, config: TrainRunConfig, scorer: DenseBackend,
  hooks: TrainingHooks, ctl: TrainingControl = {},
): Promise<TrainingEnd> {
  const t = config.train;
  let best = Infinity;
  let sinceBest = 0;
  for (const e of trainer.history) {
    const v = validationLoss(e);
    if (Number.isNaN(v)) continue;
    if (v < best) { best = v; sinceBest = 0; } else sinceBest++;
  }
  hooks.log?.(trainer.engine);
  const started = performance.now();
  const startStep = trainer.step;
  while (!trainer.done) {
    throwIfCancelled(ctl.signal, 'training');
    const h = await trainer.next(ctl.signal ? { signal: ctl.signal } : {});
    let stop: TrainingEnd | undefined;
    if (data.validation && h.step % t.validateEvery === 0) {
      Object.assign(h, await validate(model, data.validation, config, scorer, ctl.signal));
      if (t.alpha.kind === 'adaptive') {
        const [mono, cross] = t.alpha.signal === 'loss' ? [h.val_loss_mono, h.val_loss_cross] : [h.val_map_mono, h.val_map_cross];
        if (Number.isFinite(mono) && Number.isFinite(cross)) trainer.validated(mono!, cross!);
      }
      const v = validationLoss(h);
      if (v < best) { best = v; sinceBest = 0; } else sinceBest++;
      hooks.log?.(`validation at step ${h.step}: loss mono ${h.val_loss_mono?.toFixed(4)} cross ${h.val_loss_cross?.toFixed(4)}; mAP mono ${h.val_map_mono?.toFixed(3)} cross ${h.val_map_cross?.toFixed(3)} multi ${h.val_map_multi?.toFixed(3)}; next alpha ${trainer.alpha.toFixed(3)}`);
      if (t.earlyStoppingPatience > 0 && sinceBest >= t.earlyStoppingPatience) stop = { kind: 'stopped-early', step: h.step, bestLoss: best };
    }
    await hooks.onStep?.(h);
    const seconds = (performance.now() - started) / 1000;
    const rate = (h.step - startStep) / Math.max(seconds, 1e-9);
    hooks.onProgress?.({ phase: 'train', done: h.step, total: t.steps, unit: 'steps', rate, etaSeconds: (t.steps - h.step) / rate });
    if (!stop && !trainer.done && ctl.pauseRequested?.()) stop = { kind: 'paused', step: h.step };
    if (stop || h.step % t.checkpointEvery === 0 || trainer.done) await hooks.saveCheckpoint(await trainer.checkpoint());
    if (stop) {
      if (stop.kind === 'stopped-early') hooks.log?.(`early stopping at step ${h.step}: no lower validation loss in ${t.earlyStoppingPatience} validations (best ${best.toFixed(4)})`);
      return stop;
    }
  }
  return { kind: 'finished', step: trainer.step };
}
