/**
 * Alpha schedules: how the probability of an X-X batch changes during
 * training (METHOD.md "Dynamic weighting"). A registry of pure functions of
 * the step, plus the adaptive rule, which moves alpha from validation
 * signals. Every value a run uses is logged per step by the trainer.
 *
 * - constant: alpha
 * - linear:   from + (to − from) · min(1, step / steps)
 * - cosine:   to + (from − to) · (1 + cos(π · min(1, step / steps))) / 2
 * - step:     values[min(⌊step / every⌋, values.length − 1)]
 * - adaptive: after each validation, with L the validation loss of the mono and cross settings,
 *               alpha ← clip(alpha + rate · (L_mono − L_cross) / (L_mono + L_cross), min, max)
 *             so alpha grows (more X-X batches) while monolingual retrieval is the worse one; with
 *             mAP (higher is better) the difference is (mAP_cross − mAP_mono) / (mAP_cross + mAP_mono).
 */
import { LabError } from '../errors.ts';

export type AlphaSchedule =
  | { kind: 'constant'; alpha: number }
  | { kind: 'linear'; from: number; to: number; steps: number }
  | { kind: 'cosine'; from: number; to: number; steps: number }
  | { kind: 'step'; values: number[]; every: number }
  | { kind: 'adaptive'; initial: number; min: number; max: number; rate: number; signal: 'loss' | 'map' };

const unit = (x: number, what: string): number => {
  if (!(x >= 0 && x <= 1)) throw new LabError('invalid-argument', `${what} ${x} is outside [0, 1]`, { path: `train.alphaSchedule.${what}` }, 'a probability from 0 to 1');
  return x;
};

/** Checks a schedule's values (each alpha in [0, 1], positive lengths, min ≤ initial ≤ max). */
export function checkSchedule(s: AlphaSchedule): AlphaSchedule {
  switch (s.kind) {
    case 'constant': unit(s.alpha, 'alpha'); break;
    case 'linear':
    case 'cosine':
      unit(s.from, 'from'); unit(s.to, 'to');
      if (!Number.isInteger(s.steps) || s.steps < 1) throw new LabError('invalid-argument', `steps ${s.steps}`, { path: 'train.alphaSchedule.steps' }, 'a positive integer');
      break;
    case 'step':
      if (s.values.length === 0) throw new LabError('invalid-argument', 'no values', { path: 'train.alphaSchedule.values' }, 'at least one alpha');
      s.values.forEach((v) => unit(v, 'values'));
      if (!Number.isInteger(s.every) || s.every < 1) throw new LabError('invalid-argument', `every ${s.every}`, { path: 'train.alphaSchedule.every' }, 'a positive integer');
      break;
    case 'adaptive':
      unit(s.initial, 'initial'); unit(s.min, 'min'); unit(s.max, 'max');
      if (!(s.min <= s.initial && s.initial <= s.max)) throw new LabError('invalid-argument', `min ${s.min} ≤ initial ${s.initial} ≤ max ${s.max} does not hold`, { path: 'train.alphaSchedule' }, 'min ≤ initial ≤ max');
      if (!(s.rate > 0 && s.rate <= 1)) throw new LabError('invalid-argument', `rate ${s.rate}`, { path: 'train.alphaSchedule.rate' }, 'a rate in (0, 1]');
      break;
  }
  return s;
}

/** Alpha at a step for the fixed schedules; the adaptive one starts at `initial` (see AdaptiveAlpha). */
export function alphaAt(s: AlphaSchedule, step: number): number {
  const t = (steps: number) => Math.min(1, Math.max(0, step) / steps);
  switch (s.kind) {
    case 'constant': return s.alpha;
    case 'linear': return s.from + (s.to - s.from) * t(s.steps);
    case 'cosine': return s.to + (s.from - s.to) * (1 + Math.cos(Math.PI * t(s.steps))) / 2;
    case 'step': return s.values[Math.min(Math.floor(Math.max(0, step) / s.every), s.values.length - 1)]!;
    case 'adaptive': return s.initial;
  }
}

/** The adaptive rule's state: alpha after each validation (see the header for the formula). */
export class AdaptiveAlpha {
  alpha: number;
  constructor(private readonly s: Extract<AlphaSchedule, { kind: 'adaptive' }>, alpha = s.initial) {
    checkSchedule(s);
    this.alpha = alpha;
  }
  /** One validation: the mono and cross losses (signal 'loss') or mAPs (signal 'map'). Returns the new alpha. */
  update(mono: number, cross: number): number {
    if (!Number.isFinite(mono) || !Number.isFinite(cross) || mono < 0 || cross < 0) {
      throw new LabError('invalid-argument', `validation values ${mono} / ${cross} are not usable`, {}, 'finite, non-negative losses or mAPs');
    }
    const sum = mono + cross;
    if (sum === 0) return this.alpha;
    const worseMono = this.s.signal === 'loss' ? (mono - cross) / sum : (cross - mono) / sum;
    this.alpha = Math.min(this.s.max, Math.max(this.s.min, this.alpha + this.s.rate * worseMono));
    return this.alpha;
  }
}
