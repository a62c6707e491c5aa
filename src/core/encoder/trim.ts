/**
 * Vocabulary trimming: keep only the embedding rows of token ids that occur in the
 * loaded datasets (plus special tokens), so a 250k-row table becomes a few ten
 * thousand rows — the difference between fitting in a browser GPU or not.
 *
 * New ids are the ranks of the kept old ids (order preserved). Ids 0 … pad_token_id
 * are always kept so pad_token_id keeps its value: RoBERTa-family models use it as
 * the position offset, and a changed pad id would shift every position.
 * The tokenizer side maps its ids with `remapTokenIds` (dropped ids → the new [UNK]).
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import type { Encoder } from './model.ts';

export interface VocabTrim {
  originalVocabSize: number;
  /** Old id of each new row, ascending: new id i ↔ old id keep[i]. */
  keep: Int32Array;
  /** Old id → new id, -1 where dropped. Length originalVocabSize. */
  remap: Int32Array;
  /** New id that dropped ids map to (the unknown token). */
  unkId: number;
  /** Word-embedding table bytes (float32) before and after. */
  tableBytesBefore: number;
  tableBytesAfter: number;
  /** All encoder weights (float32) before and after. */
  modelBytesBefore: number;
  modelBytesAfter: number;
}

export interface TrimInput {
  /** Token ids seen in the datasets (any iterable; duplicates fine). */
  usedIds: Iterable<number>;
  /** Special token ids ([CLS], [SEP], [PAD], [UNK], [MASK], <s>, </s>, …). */
  specialIds: Iterable<number>;
  /** The unknown token's (old) id; kept, and the target of dropped ids. */
  unkId: number;
}

export function planVocabTrim(vocabSize: number, padTokenId: number, input: TrimInput): Omit<VocabTrim, 'modelBytesBefore' | 'modelBytesAfter' | 'tableBytesBefore' | 'tableBytesAfter'> {
  const keepMask = new Uint8Array(vocabSize);
  const mark = (id: number, what: string): void => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new LabError('invalid-argument', `${what} id ${id} is outside the vocabulary of ${vocabSize}`);
    }
    keepMask[id] = 1;
  };
  for (let i = 0; i <= padTokenId; i++) keepMask[i] = 1;
  mark(input.unkId, 'unknown-token');
  for (const id of input.specialIds) mark(id, 'special-token');
  for (const id of input.usedIds) mark(id, 'token');
  const remap = new Int32Array(vocabSize).fill(-1);
  const keepList: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    if (keepMask[i]) {
      remap[i] = keepList.length;
      keepList.push(i);
    }
  }
  return { originalVocabSize: vocabSize, keep: Int32Array.from(keepList), remap, unkId: remap[input.unkId]! };
}

/**
 * Shrinks the encoder's word-embedding table in place (a new variable of the kept rows).
 * Works on an already trimmed encoder too: ids are then ids of the current table, and the
 * returned plan composes with the earlier one so `keep` still refers to the original ids.
 */
export function trimEncoderVocab(enc: Encoder, input: TrimInput): VocabTrim {
  const name = 'embeddings.word_embeddings.weight';
  const p = enc.params.get(name);
  if (!p) throw new LabError('model-weights', `parameter "${name}" is not loaded`);
  const V = p.variable.shape[0]!;
  const H = p.variable.shape[1]!;
  const modelBytesBefore = enc.weightBytes();
  const plan = planVocabTrim(V, enc.config.padTokenId, input);
  const rows = tf.tidy(() => tf.gather(p.variable, tf.tensor1d(plan.keep, 'int32')));
  enc.replaceParam(name, { ...p.spec, shape: [plan.keep.length, H] }, rows);
  rows.dispose();
  enc.config.vocabSize = plan.keep.length;
  const prev = enc.vocabTrim;
  let composed = plan;
  if (prev) {
    // keep/remap relative to the original vocabulary.
    const keep = Int32Array.from(plan.keep, (i) => prev.keep[i]!);
    const remap = new Int32Array(prev.originalVocabSize).fill(-1);
    keep.forEach((old, i) => { remap[old] = i; });
    composed = { originalVocabSize: prev.originalVocabSize, keep, remap, unkId: plan.unkId };
  }
  const trim: VocabTrim = {
    ...composed,
    tableBytesBefore: V * H * 4,
    tableBytesAfter: plan.keep.length * H * 4,
    modelBytesBefore,
    modelBytesAfter: enc.weightBytes(),
  };
  enc.vocabTrim = trim;
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  enc.notes.push(`vocabulary trimmed from ${V} to ${plan.keep.length} tokens: embeddings ${mb(trim.tableBytesBefore)} → ${mb(trim.tableBytesAfter)}, model ${mb(modelBytesBefore)} → ${mb(trim.modelBytesAfter)}`);
  return trim;
}

/** Maps tokenizer ids (original vocabulary) to the trimmed model's ids; dropped ids become the [UNK] id. */
export function remapTokenIds(ids: ArrayLike<number>, trim: Pick<VocabTrim, 'remap' | 'unkId'>): Int32Array {
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const r = trim.remap[ids[i]!];
    out[i] = r === undefined || r < 0 ? trim.unkId : r;
  }
  return out;
}
