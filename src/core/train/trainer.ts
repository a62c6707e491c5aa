/**
 * The training loop of hybrid batch training, as one resumable object that
 * runs the same in Node, a worker and the page: each step draws
 * `accumulation` batches from the sampler at the schedule's alpha, tokenizes
 * them (query and passage prefixes), and takes one AdamW step over them
 * (step.ts). Everything a resumed run needs — weights, optimizer moments,
 * the sampler's generator, alpha, the step and the history — is in
 * `checkpoint()`, plain data that IndexedDB or a file can hold; a run
 * restored from it draws the same batches and computes the same losses as
 * an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { throwIfCancelled, type JobControl } from '../job.ts';
import type { Tokenization } from '../run-config.ts';
import type { TextModel } from '../tokenize/text-model.ts';
import type { FreezeOptions } from '../encoder/model.ts';
import type { InfoNceVariant } from './losses/info-nce.ts';
import { AdamW, learningRateAt } from './optimizer.ts';
import type { TrainingPool } from './pool.ts';
import { BatchSampler, type SamplerOptions } from './samplers/index.ts';
import { batchTokens } from './tokens.ts';
import { AdaptiveAlpha, alphaAt, checkSchedule, type AlphaSchedule } from './schedules.ts';
import { trainStep, type StepResult } from './step.ts';
import { FastTrainer, fastPathBlocker } from '../fast/train-step.ts';

export interface TrainerOptions {
  sampler: SamplerOptions;
  schedule: AlphaSchedule;
  /** Optimizer steps in all. */
  steps: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm?: number;
  /** Batches per optimizer step (gradient accumulation). */
  accumulation: number;
  /** Gradient cache: token batches of at most this many texts (step.ts). */
  cacheChunk?: number;
  /** On WebGPU, steps run in the fast path's own kernels (../fast/train-step.ts) unless false. */
  fastPath?: boolean;
  temperature: number;
  loss: InfoNceVariant;
  /** Frozen parameters get no gradient and no update (and are not in checkpoints). */
  freeze?: FreezeOptions;
  tokenization: Pick<Tokenization, 'queryPrefix' | 'passagePrefix'>;
  seed: number;
}

/** One logged step (history.jsonl). */
export interface HistoryEntry {
  step: number;
  loss: number;
  alpha: number;
  lr: number;
  /** mono / cross / multi, one per accumulated batch. */
  batch_type: string;
  grad_norm: number;
  examples: number;
  /**
   * Examples drawn so far over the training pool's parallel groups. Batches are drawn independently (with
   * replacement between batches, never a group twice within one), so an epoch is a count, not a pass: at
   * epoch 1 each group was drawn once on average.
   */
  epoch: number;
  /** At validation steps: InfoNCE on the fixed validation batches, and the validation split's macro mAP and rank distance. */
  val_loss_mono?: number;
  val_loss_cross?: number;
  val_map_mono?: number;
  val_map_cross?: number;
  val_map_multi?: number;
  val_rank_distance?: number;
}

export interface TrainerCheckpoint {
  version: 1;
  step: number;
  samplerState: number;
  alpha: number;
  history: HistoryEntry[];
  optimizerStep: number;
  /** Variable name → values, for the weights and the optimizer's two moments. */
  weights: Record<string, Float32Array>;
  moments: Record<string, { m: Float32Array; v: Float32Array }>;
}

export class Trainer {
  readonly history: HistoryEntry[] = [];
  private readonly sampler: BatchSampler;
  private readonly opt: AdamW;
  private readonly adaptive: AdaptiveAlpha | undefined;
  private stepsDone = 0;
  private readonly groups: number;
  private examplesSeen = 0;
  /** The WebGPU fast path, made at the first step when it can run; null when it cannot (`engine` says why). */
  private fast: FastTrainer | null | undefined;
  private fastWhy = '';

  constructor(private readonly model: TextModel, pool: TrainingPool, private readonly o: TrainerOptions, from?: TrainerCheckpoint) {
    checkSchedule(o.schedule);
    if (!Number.isInteger(o.steps) || o.steps < 1) throw new LabError('invalid-argument', `steps ${o.steps}`, { path: 'train.steps' }, 'a positive integer');
    if (!Number.isInteger(o.accumulation) || o.accumulation < 1) throw new LabError('invalid-argument', `accumulation ${o.accumulation}`, { path: 'train.accumulation' }, 'a positive integer');
    if (!Number.isInteger(o.warmupSteps) || o.warmupSteps < 0 || o.warmupSteps > o.steps) throw new LabError('invalid-argument', `warmup ${o.warmupSteps}`, { path: 'train.warmupSteps' }, `an integer from 0 to ${o.steps}`);
    if (o.freeze) model.encoder.setFreeze(o.freeze);
    this.groups = pool.groups.length;
    this.sampler = new BatchSampler(pool, o.sampler, from ? { state: from.samplerState } : { seed: o.seed });
    this.opt = new AdamW({ weightDecay: o.weightDecay });
    this.adaptive = o.schedule.kind === 'adaptive' ? new AdaptiveAlpha(o.schedule, from?.alpha) : undefined;
    if (from) this.restore(from);
  }

  get step(): number {
    return this.stepsDone;
  }

  get done(): boolean {
    return this.stepsDone >= this.o.steps;
  }

  /** Alpha for the next step (the adaptive schedule's current value, else the schedule at that step). */
  get alpha(): number {
    return this.adaptive ? this.adaptive.alpha : alphaAt(this.o.schedule, this.stepsDone);
  }

  /** Feeds one validation to the adaptive schedule (mono and cross losses or mAPs). */
  validated(mono: number, cross: number): number | undefined {
    return this.adaptive?.update(mono, cross);
  }

  /** One optimizer step; returns its history entry. */
  async next(ctl: JobControl = {}): Promise<HistoryEntry> {
    if (this.done) throw new LabError('invalid-argument', `the run has finished its ${this.o.steps} steps`);
    throwIfCancelled(ctl.signal, 'training');
    const alpha = this.alpha;
    const batches = Array.from({ length: this.o.accumulation }, () => this.sampler.next(alpha));
    const s = this.stepsDone + 1;
    const lr = learningRateAt(s, this.o.lr, this.o.warmupSteps, this.o.steps);
    const micro = batches.map((b) => batchTokens(this.model, b, this.o.tokenization));
    const common = { lr, ...(this.o.maxGradNorm !== undefined ? { maxGradNorm: this.o.maxGradNorm } : {}), loss: { temperature: this.o.temperature, variant: this.o.loss } };
    const fast = this.fastTrainer();
    let r: StepResult | undefined = fast ? await fast.step(micro, common) : undefined;
    if (!r) {
      r = await trainStep(this.model.encoder, micro, this.opt, { ...common, ...(this.o.cacheChunk !== undefined ? { cacheChunk: this.o.cacheChunk } : {}) });
      fast?.invalidate(); // this step's shapes were past the fast path's limits: it re-imports the weights next time
    }
    this.stepsDone = s;
    const examples = batches.reduce((n, b) => n + b.pairs.length, 0);
    this.examplesSeen += examples;
    const entry: HistoryEntry = {
      step: s, loss: r.loss, alpha, lr, batch_type: batches.map((b) => b.kind).join('+'), grad_norm: r.gradNorm,
      examples, epoch: this.examplesSeen / this.groups,
    };
    this.history.push(entry);
    ctl.onProgress?.({ phase: 'train', done: s, total: this.o.steps, unit: 'steps' });
    return entry;
  }

  private fastTrainer(): FastTrainer | null {
    if (this.fast !== undefined) return this.fast;
    const why = this.o.fastPath === false ? 'the run asks for the tfjs path (train.fastPath: false)' : fastPathBlocker(this.model.encoder, { cacheChunk: this.o.cacheChunk, loss: { variant: this.o.loss } });
    this.fastWhy = why ?? '';
    this.fast = why ? null : new FastTrainer(this.model.encoder, this.opt);
    return this.fast;
  }

  /** Which implementation runs the steps, and why (one line for the log). */
  get engine(): string {
    const fast = this.fastTrainer();
    return fast ? 'steps run on the WebGPU fast path (the project\'s WGSL kernels)' : `steps run on tfjs ops: ${this.fastWhy}`;
  }

  /**
   * Trained variables by a name that is stable across encoder instances (the Hugging Face tensor name;
   * tfjs variable names carry a per-instance prefix).
   */
  private stableVariables(): Map<string, tf.Variable> {
    const enc = this.model.encoder;
    const out = new Map<string, tf.Variable>();
    for (const [name, p] of enc.params) if (p.variable.trainable) out.set(name, p.variable);
    enc.denseVars.forEach((d, i) => {
      if (d.weight.trainable) out.set(`${i + 2}_Dense/linear.weight`, d.weight);
      if (d.bias?.trainable) out.set(`${i + 2}_Dense/linear.bias`, d.bias);
    });
    return out;
  }

  /** Everything a resumed run needs, as plain data. */
  async checkpoint(): Promise<TrainerCheckpoint> {
    const weights: Record<string, Float32Array> = {};
    const moments: Record<string, { m: Float32Array; v: Float32Array }> = {};
    const moment = new Map(this.opt.momentTensors());
    for (const [name, v] of this.stableVariables()) {
      weights[name] = (await v.data()) as Float32Array;
      const mv = moment.get(v.name);
      if (mv) moments[name] = { m: (await mv.m.data()) as Float32Array, v: (await mv.v.data()) as Float32Array };
    }
    return {
      version: 1, step: this.stepsDone, samplerState: this.sampler.state, alpha: this.alpha, history: [...this.history],
      optimizerStep: this.opt.step, weights, moments,
    };
  }

  private restore(c: TrainerCheckpoint): void {
    const vars = this.stableVariables();
    for (const [name, data] of Object.entries(c.weights)) {
      const v = vars.get(name);
      if (!v || v.size !== data.length) throw new LabError('invalid-argument', `the checkpoint's weight "${name}" does not fit this model`, {}, 'a checkpoint of the same model');
      tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
    this.opt.restore(c.optimizerStep, Object.entries(c.moments).map(([name, mv]) => ({ variable: vars.get(name)!, ...mv })));
    this.stepsDone = c.step;
    this.history.push(...c.history);
    this.examplesSeen = c.history.reduce((n, h) => n + h.examples, 0);
  }

  dispose(): void {
    this.fast?.dispose();
    this.fast = undefined;
    this.opt.dispose();
  }
}
