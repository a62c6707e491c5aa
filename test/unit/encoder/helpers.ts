/** Shared by the encoder tests: fixture paths, an InfoNCE reference loss, array comparison. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures/models');
export const GEN_DIR = join(FIXTURES, 'generated');

/** In-batch InfoNCE on cosine similarity: rows [0, nq) are queries, [nq, 2nq) their passages. */
export function infoNCE(emb: tf.Tensor2D, nq: number, temperature: number): tf.Scalar {
  const n = tf.div(emb, tf.norm(emb, 'euclidean', 1, true));
  const q = tf.slice(n, [0, 0], [nq, -1]);
  const p = tf.slice(n, [nq, 0], [nq, -1]);
  const logits = tf.div(tf.matMul(q, tf.transpose(p)), temperature);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, nq, 1, 'int32'), nq), logits) as tf.Scalar;
}

/** The PyTorch fixture of an encoder (scripts/golden_encoder.py). */
export interface GoldenEncoder {
  model: string;
  temperature: number;
  n_queries: number;
  inputs: { ids: number[][]; mask: number[][] };
  embeddings: number[][];
  loss: number;
  grads: Record<string, { shape: number[]; values: number[] }>;
  word_embedding_grad_rows: { rows: number[]; values: number[][] };
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
