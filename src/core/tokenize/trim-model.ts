/**
 * Trims a loaded model's vocabulary to the token ids its datasets use (plus
 * the specials) and reports the sizes before and after, for the model panel.
 *
 * Ids are the tokenizer's (original vocabulary). On a model already trimmed,
 * they are first mapped into its current table (an id dropped earlier stays
 * dropped: it maps to [UNK]), because trimEncoderVocab works on current ids.
 */
import { trimEncoderVocab, remapTokenIds } from '../encoder/trim.ts';
import type { TextModel } from './text-model.ts';
import { distinctIds, specialTokenIds } from './dataset-tokens.ts';

export interface TrimReport {
  rowsBefore: number;
  rowsAfter: number;
  /** Distinct dataset ids offered, and the specials kept besides (ids below the pad id included). */
  distinctIds: number;
  specialIds: number[];
  /** Word-embedding table (float32) bytes. */
  tableBytesBefore: number;
  tableBytesAfter: number;
  /** Every weight of the encoder (float32) bytes. */
  modelBytesBefore: number;
  modelBytesAfter: number;
  /** The vocabulary size of the original tokenizer (the trim's reference). */
  originalVocabSize: number;
}

export function trimTextModel(model: TextModel, usedIds: ArrayLike<number>, tokenizerJson: Uint8Array): TrimReport {
  const tok = model.tokenizer;
  const prev = model.encoder.vocabTrim;
  const toCurrent = (ids: ArrayLike<number>): Int32Array => (prev ? remapTokenIds(ids, prev) : Int32Array.from(ids));
  const specials = specialTokenIds(tokenizerJson, tok);
  const used = distinctIds([toCurrent(usedIds)]);
  const rowsBefore = model.encoder.config.vocabSize;
  const trim = trimEncoderVocab(model.encoder, {
    usedIds: used,
    specialIds: toCurrent(specials),
    unkId: toCurrent([tok.unkId])[0]!,
  });
  return {
    rowsBefore, rowsAfter: trim.keep.length, distinctIds: distinctIds([usedIds]).length, specialIds: specials,
    tableBytesBefore: trim.tableBytesBefore, tableBytesAfter: trim.tableBytesAfter,
    modelBytesBefore: trim.modelBytesBefore, modelBytesAfter: trim.modelBytesAfter,
    originalVocabSize: trim.originalVocabSize,
  };
}
