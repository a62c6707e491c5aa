/**
 * Validation losses per setting: the InfoNCE loss of the model, without any
 * update, on a fixed set of X-X (mono) and X-Y (cross) batches drawn from
 * the validation split with a fixed seed, so successive validations compare
 * the same batches. These drive the adaptive alpha schedule and early
 * stopping (the paper's rule: stop when the validation loss stops falling).
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenization } from '../run-config.ts';
import type { TextModel } from '../tokenize/text-model.ts';
import { infoNCE, type InfoNceOptions } from './losses/info-nce.ts';
import type { TrainingPool } from './pool.ts';
import { BatchSampler } from './samplers/index.ts';
import type { TrainingBatch } from './samplers/batch.ts';
import { batchTokens } from './tokens.ts';

export interface ValidationSet {
  mono: TrainingBatch[];
  cross: TrainingBatch[];
}

/** Fixed validation batches (as many as the pool allows, at most `count` per setting). */
export function validationSet(pool: TrainingPool, batchSize: number, count: number, seed: number): ValidationSet {
  const size = Math.min(batchSize, pool.groups.length);
  const mono = new BatchSampler(pool, { kind: 'xx', batchSize: size }, { seed });
  const cross = pool.languages.length > 1 ? new BatchSampler(pool, { kind: 'xy', batchSize: size }, { seed: seed + 1 }) : undefined;
  return {
    mono: Array.from({ length: count }, () => mono.next()).filter((b) => b.pairs.length > 1),
    cross: cross ? Array.from({ length: count }, () => cross.next()).filter((b) => b.pairs.length > 1) : [],
  };
}

/** Mean InfoNCE per setting (NaN for a setting without batches). */
export async function validationLosses(model: TextModel, set: ValidationSet, t: Pick<Tokenization, 'queryPrefix' | 'passagePrefix'>, loss: InfoNceOptions): Promise<{ mono: number; cross: number }> {
  const mean = async (batches: TrainingBatch[]): Promise<number> => {
    if (batches.length === 0) return NaN;
    let sum = 0;
    for (const b of batches) {
      const mb = batchTokens(model, b, t);
      const v = tf.tidy(() => {
        const e = model.encoder.pool(mb.tokens);
        const n = mb.numQueries;
        const rest = e.shape[0] - 2 * n;
        return infoNCE(tf.slice(e, [0, 0], [n, -1]) as tf.Tensor2D, tf.slice(e, [n, 0], [n, -1]) as tf.Tensor2D,
          rest > 0 ? (tf.slice(e, [2 * n, 0], [rest, -1]) as tf.Tensor2D) : undefined, loss);
      });
      sum += (await v.data())[0]!;
      v.dispose();
    }
    return sum / batches.length;
  };
  return { mono: await mean(set.mono), cross: await mean(set.cross) };
}
