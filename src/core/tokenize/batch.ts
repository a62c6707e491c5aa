/**
 * Ragged token ids → the padded, rectangular batches an encoder consumes,
 * and the vocabulary-trim id remap.
 */
import { LabError } from '../errors.ts';
import type { RaggedTokens } from './tokenizer.ts';
import { remapTokenIds, type VocabTrim } from '../encoder/trim.ts';

export interface PaddedBatch {
  batchSize: number;
  seqLen: number;
  /** Row-major [batchSize, seqLen]. */
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
}

/**
 * Pads texts `rows` (indices into `tokens`) to one length: the longest of
 * those rows (`'longest'`, the cheap default) or a fixed length.
 */
export function padBatch(tokens: RaggedTokens, rows: readonly number[], padId: number, length: 'longest' | number = 'longest'): PaddedBatch {
  const n = tokens.offsets.length - 1;
  let longest = 0;
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new LabError('invalid-argument', `row ${r} is not one of the ${n} tokenized texts`);
    longest = Math.max(longest, tokens.offsets[r + 1]! - tokens.offsets[r]!);
  }
  const seqLen = length === 'longest' ? longest : length;
  if (seqLen < longest) throw new LabError('invalid-argument', `pad length ${seqLen} is shorter than a text of ${longest} tokens`);
  const inputIds = new Int32Array(rows.length * seqLen).fill(padId);
  const attentionMask = new Int32Array(rows.length * seqLen);
  rows.forEach((r, b) => {
    const s = tokens.offsets[r]!;
    const e = tokens.offsets[r + 1]!;
    inputIds.set(tokens.ids.subarray(s, e), b * seqLen);
    attentionMask.fill(1, b * seqLen, b * seqLen + (e - s));
  });
  return { batchSize: rows.length, seqLen, inputIds, attentionMask };
}

/** Every row of a ragged set, in order. */
export function allRows(tokens: RaggedTokens): number[] {
  return Array.from({ length: tokens.offsets.length - 1 }, (_, i) => i);
}

/**
 * Applies a vocabulary trim (src/core/encoder/trim.ts: old id → new id, -1
 * dropped) to ragged ids. Dropped ids become the trimmed model's unknown
 * token, so it still sees "some unknown word" rather than a wrong one.
 */
export function remapIds(tokens: RaggedTokens, trim: Pick<VocabTrim, 'remap' | 'unkId'>): RaggedTokens {
  return { ids: remapTokenIds(tokens.ids, trim), offsets: tokens.offsets };
}
