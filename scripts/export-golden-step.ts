/**
 * The one deterministic fine-tuning step behind the "PyTorch loads our export" check,
 * shared by scripts/make-export-golden.ts (which writes the PyTorch fixture) and
 * test/unit/encoder/export-pytorch.test.ts (which repeats the step and compares).
 *
 * Deterministic by construction: cpu backend (plain JS arithmetic, no threads), the
 * fixed golden token ids of test/fixtures/models/golden-<model>.json, in-batch InfoNCE
 * through the production gradient path (lossAndGradients), and plain SGD — not Adam,
 * whose first step is lr·sign(g) and so would turn rounding noise in a near-zero
 * gradient into a full-lr weight change.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { lossAndGradients } from '../src/core/encoder/grads.ts';
import { toTokenBatch, type Encoder, type TokenBatch } from '../src/core/encoder/model.ts';
import { remapTokenIds, trimEncoderVocab } from '../src/core/encoder/trim.ts';
import type { ExportOptions } from '../src/core/encoder/export.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MODELS_DIR = join(ROOT, 'test/fixtures/models');
export const GENERATED_DIR = join(MODELS_DIR, 'generated');

/**
 * The models checked, and how each is exported: tiny-bert plain (mean pooling), tiny-xlmr with
 * the Dense head and F16 weights, tiny-distilbert (no sentence-transformers files) with its
 * vocabulary trimmed to the golden ids first — so PyTorch also reads the
 * rewritten tokenizer.json / vocab.txt and the shrunk embedding table.
 */
export const EXPORT_GOLDEN_MODELS = {
  'tiny-bert': { dtype: 'F32', trim: false },
  'tiny-xlmr': { dtype: 'F16', trim: false },
  'tiny-distilbert': { dtype: 'F32', trim: true },
} as const satisfies Record<string, Required<Pick<ExportOptions, 'dtype'>> & { trim: boolean }>;
export type ExportGoldenModel = keyof typeof EXPORT_GOLDEN_MODELS;

/** SGD learning rate: the step lowers the loss (tiny-bert 1.02 → ~0.5) and moves every embedding by ≫ 1e-4 (see the fixture's `moved_from_untuned`). */
export const STEP_LR = 0.01;

export interface GoldenInputs {
  texts: string[];
  temperature: number;
  n_queries: number;
  inputs: { ids: number[][]; mask: number[][] };
  /** PyTorch embeddings of the untuned model (scripts/golden_encoder.py). */
  embeddings: number[][];
}

export function readGoldenInputs(model: ExportGoldenModel): GoldenInputs {
  return JSON.parse(readFileSync(join(MODELS_DIR, `golden-${model}.json`), 'utf8')) as GoldenInputs;
}

/** In-batch InfoNCE on cosine similarity: rows [0, nq) are queries, [nq, 2nq) their passages. */
function infoNCE(emb: tf.Tensor2D, nq: number, temperature: number): tf.Scalar {
  const n = tf.div(emb, tf.norm(emb, 'euclidean', 1, true));
  const q = tf.slice(n, [0, 0], [nq, -1]);
  const p = tf.slice(n, [nq, 0], [nq, -1]);
  const logits = tf.div(tf.matMul(q, tf.transpose(p)), temperature);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, nq, 1, 'int32'), nq), logits) as tf.Scalar;
}

/** [PAD] [UNK] [CLS] [SEP] [MASK] of the mBERT tokenizer every tiny model shares. */
const MBERT_SPECIAL_IDS = [0, 100, 101, 102, 103];

/**
 * Trims the vocabulary to the golden ids when the model's case asks for it; returns the
 * inputs in the model's (possibly new) ids. The untuned embeddings are unchanged by trimming.
 */
export function prepareForStep(enc: Encoder, model: ExportGoldenModel, g: GoldenInputs): GoldenInputs {
  if (!EXPORT_GOLDEN_MODELS[model].trim) return g;
  const trim = trimEncoderVocab(enc, { usedIds: g.inputs.ids.flat(), specialIds: MBERT_SPECIAL_IDS, unkId: 100 });
  return { ...g, inputs: { ids: g.inputs.ids.map((r) => Array.from(remapTokenIds(r, trim))), mask: g.inputs.mask } };
}

export function goldenBatch(g: GoldenInputs): TokenBatch {
  return toTokenBatch(g.inputs.ids, g.inputs.mask);
}

/** One SGD step on the golden batch, in place; returns the loss before the step. */
export async function fineTuneOneStep(enc: Encoder, g: GoldenInputs): Promise<number> {
  const { loss, grads } = await lossAndGradients(enc, [goldenBatch(g)], ([e]) => infoNCE(e!, g.n_queries, g.temperature));
  const opt = tf.train.sgd(STEP_LR);
  opt.applyGradients(grads);
  opt.dispose();
  tf.dispose(Object.values(grads));
  return loss;
}
